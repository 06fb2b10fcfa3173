import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import type { ChampionSuggestion } from '../../shared/insight.js';
import { call, errorText } from '../lib/api.js';
import { useNavigation } from '../lib/navigation.js';
import { DEFINITIONS } from './words.js';

/** Who could be this cohort's next champion, and why, each one click from the cohort's pipeline. */
export function SuggestionsPanel({ cohortId, suggestions, inPipeline }: { cohortId: string; suggestions: ChampionSuggestion[]; inPipeline: number }) {
  const { go } = useNavigation();
  const [added, setAdded] = useState<{ name: string } | null>(null);
  const add = useMutation({
    // The same mutation as the board's "Add a candidate": written here first, synced when online.
    mutationFn: (s: ChampionSuggestion) =>
      call('champion.create', { userId: s.userId, cohortId, notes: `Suggested from cohort insight: ${s.reason}.` }),
    onSuccess: (_r, s) => setAdded({ name: s.name ?? s.userId }),
  });
  return (
    <section className="panel" aria-labelledby="suggestions-title" data-testid="suggestions">
      <h2 id="suggestions-title">Could be a champion</h2>
      <p className="definition muted small">
        {DEFINITIONS.suggestions}
        {inPipeline > 0 ? ` ${inPipeline.toLocaleString()} member${inPipeline === 1 ? ' is' : 's are'} already in a pipeline.` : ''}
      </p>
      {added ? (
        <p className="notice" role="status">
          {added.name} is now a candidate in this cohort’s pipeline (saved on this laptop; it syncs when you are online).{' '}
          <button type="button" className="link" onClick={() => go({ screen: 'champions', cohortId })}>
            Open the pipeline
          </button>
        </p>
      ) : null}
      {add.isError ? (
        <div className="form-error" role="alert">
          {errorText(add.error)}
        </div>
      ) : null}
      {suggestions.length === 0 ? (
        <p className="muted">No suggestions: no one outside a pipeline has posted in the forum lately or completed a module.</p>
      ) : (
        <ol className="suggestions">
          {suggestions.map((s) => (
            <li key={s.userId}>
              <div className="suggestion-main">
                <button type="button" className="link" onClick={() => go({ screen: 'member', id: s.userId })}>
                  {s.name ?? s.userId}
                </button>
                <div className="muted small">{s.reason}</div>
              </div>
              <button
                type="button"
                className="btn btn-small"
                disabled={add.isPending}
                onClick={() => add.mutate(s)}
                aria-label={`Add ${s.name ?? s.userId} as a candidate`}
              >
                Add as candidate
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
