import type { MemberSummary } from '../../shared/ipc.js';
import { MemberPicker, type PickerNote } from './MemberPicker.js';

/**
 * The member a form is about: once chosen, their name (with Change when the form let them be
 * chosen); until then, the search picker.
 */
export function MemberField({
  name,
  onPick,
  onChange,
  errorId,
  noteFor,
}: {
  name: string | null;
  onPick: (m: MemberSummary) => void;
  /** Absent when the member was fixed by the caller and cannot be changed here. */
  onChange?: () => void;
  /** The id of the problem shown under the field, if any. */
  errorId?: string;
  /** Marks members the form cannot take (already in the pipeline). */
  noteFor?: (m: MemberSummary) => PickerNote | null;
}) {
  if (name === null) return <MemberPicker onPick={onPick} describedBy={errorId} noteFor={noteFor} />;
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
