// A fixed list of what coordinators type: first letters, partial first names and surnames,
// accent-free forms of accented names, email fragments, non-Latin prefixes.
export const SEARCH_PREFIXES: readonly string[] = [
  'm', 'ma', 'may', 'maya', 'jo', 'jos', 'jose', 'zoe', 'lu', 'luk', 'lukasz', 'si', 'siob', 'nguy', 'a', 'an',
  'ana', 'li', 'мар', 'мария', 'мо', 'пр', 'プ', '李', 'محمد', 'sa', 'sam', 'chr', 'el', 'eli', 'da', 'dav', 'ke',
  'kim', 'lo', 'lop', 'gar', 'garc', 'smi', 'o', 'ol', 'pri', 'priya', 'fr', 'fra', 'ben', 'ta', 'tom', 'hu', 'w',
  'example', 'demo.local', 'lopez@', 'maya lo', 'jose g',
];
