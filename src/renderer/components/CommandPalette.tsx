import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { call } from '../lib/api.js';
import { SEARCH_QUERY_MAX } from '../../shared/limits.js';
import { qk } from '../lib/queryKeys.js';
import { useDebounced } from '../lib/useDebounced.js';
import { useNavigation, type Route } from '../lib/navigation.js';
import { useShellActions } from '../lib/shellActions.js';

interface Command {
  id: string;
  group: 'Members' | 'Go to' | 'Actions';
  label: string;
  hint?: string;
  run: () => void;
}

const SCREENS: { label: string; route: Route }[] = [
  { label: 'People', route: { screen: 'people' } },
  { label: 'Cohorts', route: { screen: 'cohorts' } },
  { label: 'Recent activity', route: { screen: 'activity' } },
  { label: 'Champions', route: { screen: 'champions' } },
  { label: 'Sync and conflicts', route: { screen: 'sync' } },
  { label: 'Settings', route: { screen: 'settings' } },
];

/** Ctrl/Cmd+K: jump to a member or a screen, or run an action, without the mouse. */
export function CommandPalette({ onClose }: { onClose: () => void }) {
  const { go } = useNavigation();
  const actions = useShellActions();
  const client = useQueryClient();
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const query = useDebounced(text.trim(), 80);
  const listId = useId();
  const ref = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      if (dialog?.open) dialog.close();
      opener?.focus();
    };
  }, []);

  const filter = { query, roles: [], origins: [] };
  const members = useQuery({
    queryKey: qk.people({ ...filter, palette: true }),
    queryFn: () => call('people.search', { ...filter, limit: 6 }),
    enabled: query.length > 0,
    placeholderData: keepPreviousData,
  });

  const done = (fn: () => void) => () => {
    onClose();
    fn();
  };
  const needle = text.trim().toLowerCase();
  const matches = (label: string) => !needle || label.toLowerCase().includes(needle);
  // Screens and actions first: they only appear when the text names them, so Enter after
  // "sync" syncs, while a member's name matches none of them and lists the members.
  const commands: Command[] = [
    ...SCREENS.filter((s) => matches(s.label)).map((s) => ({
      id: `s-${s.label}`,
      group: 'Go to' as const,
      label: s.label,
      run: done(() => go(s.route)),
    })),
    ...[
      {
        label: 'Sync now',
        run: () =>
          void call('sync.now', {})
            .then((status) => client.setQueryData(qk.syncStatus(), status))
            .catch(() => undefined),
      },
      { label: 'Record an action', run: () => actions.recordAction() },
      { label: 'Add a candidate', run: () => actions.addCandidate() },
    ]
      .filter((a) => matches(a.label))
      .map((a) => ({ id: `a-${a.label}`, group: 'Actions' as const, label: a.label, run: done(a.run) })),
    ...(query ? (members.data?.items ?? []) : []).map((m) => ({
      id: `m-${m.id}`,
      group: 'Members' as const,
      label: m.name,
      hint: m.email,
      run: done(() => go({ screen: 'member', id: m.id })),
    })),
  ];
  const current = Math.min(active, Math.max(0, commands.length - 1));

  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    // Ctrl+J / Ctrl+P style keys are left alone: j and k are letters someone may be typing.
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive(Math.min(commands.length - 1, current + 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive(Math.max(0, current - 1));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      commands[current]?.run();
    }
  };

  let lastGroup = '';
  return (
    <dialog
      ref={ref}
      className="dialog palette"
      aria-label="Command palette"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        if (e.target === ref.current) onClose();
      }}
    >
      <input
        className="palette-input"
        type="text"
        placeholder="Jump to a member, a screen, or run an action…"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setActive(0);
        }}
        onKeyDown={onKey}
        maxLength={SEARCH_QUERY_MAX}
        role="combobox"
        aria-label="Command"
        aria-expanded="true"
        aria-controls={listId}
        aria-activedescendant={commands[current] ? `${listId}-${current}` : undefined}
        autoFocus
      />
      <ul className="palette-list" id={listId} role="listbox" aria-label="Commands">
        {commands.map((cmd, i) => {
          const header = cmd.group !== lastGroup ? cmd.group : null;
          lastGroup = cmd.group;
          return (
            <li key={cmd.id} role="presentation">
              {header ? (
                <div className="palette-group muted small" role="presentation">
                  {header}
                </div>
              ) : null}
              <div
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === current}
                className={i === current ? 'palette-item active' : 'palette-item'}
                onMouseDown={(e) => e.preventDefault()}
                onMouseMove={() => setActive(i)}
                onClick={cmd.run}
              >
                <span>{cmd.label}</span>
                {cmd.hint ? <span className="muted small">{cmd.hint}</span> : null}
              </div>
            </li>
          );
        })}
        {commands.length === 0 ? <li className="muted small palette-empty">Nothing matches “{text}”</li> : null}
      </ul>
    </dialog>
  );
}
