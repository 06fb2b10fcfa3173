import type { MemberSummary } from '../../shared/ipc.js';
import { MemberPicker } from './MemberPicker.js';

/**
 * The member a form is about: once chosen, their name (with Change when the form let them be
 * chosen); until then, the search picker.
 */
export function MemberField({
  name,
  onPick,
  onChange,
}: {
  name: string | null;
  onPick: (m: MemberSummary) => void;
  /** Absent when the member was fixed by the caller and cannot be changed here. */
  onChange?: () => void;
}) {
  if (name === null) return <MemberPicker onPick={onPick} />;
  return (
    <div className="field">
      <span>Member</span>
      <div className="picked">
        <strong>{name}</strong>
        {onChange ? (
          <button type="button" className="btn btn-ghost btn-small" onClick={onChange}>
            Change
          </button>
        ) : null}
      </div>
    </div>
  );
}
