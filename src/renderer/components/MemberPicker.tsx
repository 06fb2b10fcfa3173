import { useId, useState, type KeyboardEvent } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { MemberSummary } from '../../shared/ipc.js';
import { call } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';
import { useDebounced } from '../lib/useDebounced.js';
import { Avatar } from './Badges.js';

/** A search box with a short result list: type, arrow to a member, Enter to choose. */
export function MemberPicker({ onPick, label = 'Member', autoFocus = true }: { onPick: (m: MemberSummary) => void; label?: string; autoFocus?: boolean }) {
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
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((a) => Math.min(items.length - 1, a + 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(0, a - 1));
    } else if (e.key === 'Enter') {
      const m = items[active];
      e.preventDefault();
      if (m) onPick(m);
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
          onChange={(e) => {
            setText(e.target.value);
            setActive(0);
          }}
          onKeyDown={onKey}
          role="combobox"
          aria-expanded={items.length > 0}
          aria-controls={listId}
          aria-activedescendant={items[active] ? `${listId}-${active}` : undefined}
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
            className={i === active ? 'picker-item active' : 'picker-item'}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => onPick(m)}
          >
            <Avatar name={m.name} size={24} />
            <span>{m.name}</span>
            <span className="muted small">{m.email}</span>
          </li>
        ))}
        {query && results.isSuccess && items.length === 0 ? <li className="muted small picker-empty">No one matches</li> : null}
      </ul>
    </div>
  );
}
