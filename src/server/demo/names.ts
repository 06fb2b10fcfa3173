// Names from many places, with the ascii slug used in ids and emails. Accents and non-Latin
// scripts are on purpose: search, sorting and rendering must cope with them.
export type Named = readonly [display: string, slug: string];

export const FIRST_NAMES: readonly Named[] = [
  ['Maya', 'maya'], ['José', 'jose'], ['Zoë', 'zoe'], ['Łukasz', 'lukasz'], ['Siobhán', 'siobhan'], ['Amélie', 'amelie'],
  ['Søren', 'soren'], ['Björn', 'bjorn'], ['Ana', 'ana'], ['Oliver', 'oliver'], ['Priya', 'priya'], ['Aisha', 'aisha'],
  ['Chloé', 'chloe'], ['Mateo', 'mateo'], ['Noah', 'noah'], ['Emma', 'emma'], ['Liam', 'liam'], ['Olivia', 'olivia'],
  ['Sofía', 'sofia'], ['François', 'francois'], ['Jürgen', 'jurgen'], ['Ines', 'ines'], ['Ngozi', 'ngozi'], ['Kwame', 'kwame'],
  ['Thảo', 'thao'], ['Minh', 'minh'], ['Hannah', 'hannah'], ['Dmitri', 'dmitri'], ['Agnieszka', 'agnieszka'], ['Seán', 'sean'],
  ['Raúl', 'raul'], ['Camille', 'camille'], ['Yusuf', 'yusuf'], ['Fatima', 'fatima'], ['Grace', 'grace'], ['Tomás', 'tomas'],
  ['Eilidh', 'eilidh'], ['Rhys', 'rhys'], ['Zainab', 'zainab'], ['Hiroshi', 'hiroshi'], ['Mei', 'mei'], ['Arjun', 'arjun'],
  ['Lucía', 'lucia'], ['Matteo', 'matteo'], ['Giulia', 'giulia'], ['Nikolai', 'nikolai'], ['Ólafur', 'olafur'], ['Dagný', 'dagny'],
  ['李', 'li'], ['Мария', 'maria'], ['محمد', 'mohammed'], ['プリヤ', 'puriya'], ['王芳', 'wangfang'], ['Алексей', 'aleksei'],
  ['فاطمة', 'fatima'], ['さくら', 'sakura'], ['지민', 'jimin'], ['Ελένη', 'eleni'], ['אורי', 'uri'], ['राहुल', 'rahul'],
];

export const LAST_NAMES: readonly Named[] = [
  ['Patel', 'patel'], ['García', 'garcia'], ['Nguyễn', 'nguyen'], ['Kowalski', 'kowalski'], ['O’Brien', 'obrien'],
  ['Müller', 'muller'], ['Smith', 'smith'], ['Jones', 'jones'], ['Dubois', 'dubois'], ['Rossi', 'rossi'], ['Okafor', 'okafor'],
  ['Mensah', 'mensah'], ['Khan', 'khan'], ['Ahmed', 'ahmed'], ['Williams', 'williams'], ['Brown', 'brown'], ['Novák', 'novak'],
  ['Johansson', 'johansson'], ['Fernández', 'fernandez'], ['Silva', 'silva'], ['Tanaka', 'tanaka'], ['Kim', 'kim'], ['Chen', 'chen'],
  ['Wójcik', 'wojcik'], ['Ní Bhriain', 'nibhriain'], ['MacLeod', 'macleod'], ['Evans', 'evans'], ['Hughes', 'hughes'],
  ['Ivanova', 'ivanova'], ['Haddad', 'haddad'], ['Cohen', 'cohen'], ['Papadopoulou', 'papadopoulou'], ['Sørensen', 'sorensen'],
  ['Çelik', 'celik'], ['Yılmaz', 'yilmaz'], ['Đặng', 'dang'], ['Lefèvre', 'lefevre'], ['Schäfer', 'schafer'], ['Guðmundsdóttir', 'gudmundsdottir'],
  ['王', 'wang'], ['Смирнова', 'smirnova'], ['الحسن', 'alhassan'], ['佐藤', 'sato'], ['박', 'park'], ['Σταύρου', 'stavrou'],
];

/** "City, Country": where members say they are from. */
export const ORIGINS: readonly string[] = [
  'London, United Kingdom', 'Manchester, United Kingdom', 'Leeds, United Kingdom', 'Bristol, United Kingdom', 'Cardiff, United Kingdom',
  'Edinburgh, United Kingdom', 'Glasgow, United Kingdom', 'Belfast, United Kingdom', 'Dublin, Ireland', 'Cork, Ireland',
  'Paris, France', 'Lyon, France', 'Berlin, Germany', 'München, Germany', 'Kraków, Poland', 'Warszawa, Poland',
  'Madrid, Spain', 'Sevilla, Spain', 'Lisboa, Portugal', 'Roma, Italy', 'København, Denmark', 'Stockholm, Sweden',
  'Reykjavík, Iceland', 'Athens, Greece', 'İstanbul, Türkiye', 'Lagos, Nigeria', 'Accra, Ghana', 'Nairobi, Kenya',
  'Cape Town, South Africa', 'Mumbai, India', 'Bengaluru, India', 'Karachi, Pakistan', 'Dubai, UAE', 'Cairo, Egypt',
  'Hà Nội, Vietnam', 'Tokyo, Japan', 'Seoul, South Korea', '北京, China', 'Sydney, Australia', 'Auckland, New Zealand',
  'Toronto, Canada', 'Montréal, Canada', 'New York, USA', 'San Francisco, USA', 'São Paulo, Brazil', 'Ciudad de México, Mexico',
];

export const COURSES: readonly { slug: string; name: string; modules: readonly string[] }[] = [
  {
    slug: 'ewm',
    name: 'Exploring What Matters',
    modules: [
      'What really matters in life?',
      'What actually makes us happy?',
      'Can we find peace of mind?',
      'How can we make work more fulfilling?',
      'How can we build happier relationships?',
      'How can we create happier communities?',
      'How can we create a happier world?',
      'What have we learned?',
    ],
  },
  {
    slug: 'tenkeys',
    name: 'Ten Keys to Happier Living',
    modules: ['Giving', 'Relating', 'Exercising', 'Awareness', 'Trying out', 'Direction', 'Resilience', 'Emotions', 'Acceptance', 'Meaning'],
  },
  {
    slug: 'kindness',
    name: 'Kindness in Action',
    modules: ['Small acts', 'Kindness at work', 'Kindness to ourselves', 'Kind communities'],
  },
];

export const CHAMPION_NOTES: readonly string[] = [
  'Ran the icebreaker brilliantly in week 2; keen to host a group next term.',
  'Very warm with newcomers. Asked about facilitator training.',
  'Organised a local Action Café in her library — follow up about venue support.',
  'Great questions in the forum; could co-host the online cohort.',
  'Needs a call about time commitment before moving on.',
  'Already volunteers with a mental-health charity; natural fit.',
  'Spoke at the community evening, people loved it. 🙂',
  'Prefers online sessions; works shifts.',
  'Back after a break — wants to help run the autumn cohort.',
  'Recommended by two members of the spring cohort.',
  '',
];

export const THREAD_TITLES: readonly string[] = [
  'What helped you most this week?',
  'Small acts of kindness I tried',
  'Struggling with the gratitude exercise',
  'Local meet-up after the course?',
  'Books that changed how I think about happiness',
  'How do you keep going on hard days?',
  'Ideas for a community Action Café',
];
