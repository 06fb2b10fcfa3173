import { useId, useState, type KeyboardEvent } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { MemberSummary } from '../../shared/ipc.js';
import { SEARCH_QUERY_MAX } from '../../shared/limits.js';
import { call } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';
import { useDebounced } from '../lib/useDebounced.js';
import { Avatar } from './Badges.js';

/** Why a member cannot be chosen here, said on their row (they stay visible, so nobody wonders where they went). */
export interface PickerNote {
  text: string;
  disabled: boolean;
}

/** A search box with a short result list: type, arrow to a member, Enter to choose. */
export function MemberPicker({
  onPick,
  label = 'Member',
  autoFocus = true,
  describedBy,
  noteFor,
}: {
  onPick: (m: MemberSummary) => void;
  label?: string;
  autoFocus?: boolean;
  describedBy?: string | undefined;
  noteFor?: ((m: MemberSummary) => PickerNote | null) | undefined;
}) {
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const query = useDebounced(text.trim(), 80);
  const listId = useId();
  const filter = { query, roles: [], origins: [] };
  const results = useQuery({
    queryKey: qk.people({ ...filter, picker: true }),
    queryFn: () => call('people.search', { ...filter, limit: 8 }),
    enabled: query.length > 0,
    placeholderData: keepPreviousData,
  });
  const items = query ? (results.data?.items ?? []) : [];
  const notes = items.map((m) => noteFor?.(m) ?? null);
  const pick = (i: number) => {
    const m = items[i];
    if (m && !notes[i]?.disabled) onPick(m);
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((a) => Math.min(items.length - 1, a + 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(0, a - 1));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      pick(active);
    }
  };
  return (
    <div className="picker">
      <label className="field">
        <span>{label}</span>
        <input
          type="search"
          value={text}
          placeholder="Type a name or email"
          maxLength={SEARCH_QUERY_MAX}
          onChange={(e) => {
            setText(e.target.value);
            setActive(0);
          }}
          onKeyDown={onKey}
          role="combobox"
          aria-expanded={items.length > 0}
          aria-controls={listId}
          aria-activedescendant={items[active] ? `${listId}-${active}` : undefined}
          aria-describedby={describedBy}
          data-autofocus={autoFocus ? '' : undefined}
        />
      </label>
      <ul className="picker-list" id={listId} role="listbox" aria-label="Matching members">
        {items.map((m, i) => (
          <li
            key={m.id}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === active}
            aria-disabled={notes[i]?.disabled ? true : undefined}
            className={['picker-item', i === active ? 'active' : '', notes[i]?.disabled ? 'disabled' : ''].join(' ')}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => pick(i)}
          >
            <Avatar name={m.name} memberId={m.id} hasPhoto={m.profileImg !== null} size={24} />
            <span>{m.name}</span>
            <span className="muted small">{m.email}</span>
            {notes[i] ? <span className="picker-note small">{notes[i]!.text}</span> : null}
          </li>
        ))}
      </ul>
      {query && results.isSuccess && items.length === 0 ? <div className="muted small picker-empty">No one matches</div> : null}
    </div>
  );
}
