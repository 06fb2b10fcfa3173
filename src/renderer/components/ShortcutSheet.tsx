import { Dialog } from './Dialog.js';

const GROUPS: { title: string; keys: [string[], string][] }[] = [
  {
    title: 'Anywhere',
    keys: [
      [['Ctrl', 'K'], 'Command palette: jump to a member or a screen, run an action'],
      [['?'], 'This list of shortcuts'],
      [['Esc'], 'Close a dialog, or leave a search box'],
    ],
  },
  {
    title: 'People',
    keys: [
      [['/'], 'Search people'],
      [['j'], 'Next member (also ↓)'],
      [['k'], 'Previous member (also ↑)'],
      [['Enter'], 'Open the member'],
    ],
  },
  {
    title: 'Timelines',
    keys: [[['j', 'k'], 'Next and previous event, once the timeline has focus']],
  },
  {
    title: 'Champions board',
    keys: [
      [['Enter'], 'Move the card to… (also m)'],
      [['o'], 'Card details (also Space)'],
      [['↑', '↓'], 'Within a stage (also j, k)'],
      [['←', '→'], 'Across stages (also h, l)'],
    ],
  },
];

/** `?`: every keyboard shortcut the app advertises, in one place. */
export function ShortcutSheet({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <div className="shortcut-sheet">
        {GROUPS.map((g) => (
          <section key={g.title} aria-label={g.title}>
            <h3>{g.title}</h3>
            <dl>
              {g.keys.map(([keys, what]) => (
                <div key={what}>
                  <dt>
                    {keys.map((k) => (
                      <kbd key={k}>{k}</kbd>
                    ))}
                  </dt>
                  <dd>{what}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
    </Dialog>
  );
}
