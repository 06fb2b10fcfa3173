import { ACTION_TYPES } from '../../shared/enums.js';
import { actionLabel } from './Badges.js';

/** One <option> per action type, labelled as the timeline shows it. */
export function ActionTypeOptions() {
  return (
    <>
      {ACTION_TYPES.map((t) => (
        <option key={t} value={t}>
          {actionLabel(t)}
        </option>
      ))}
    </>
  );
}
