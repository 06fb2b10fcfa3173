import { useEffect, useMemo, useState, type KeyboardEvent, type ReactNode } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import {
  DndContext,
  DragOverlay,
  PointerSensor,
  pointerWithin,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
  type DragEndEvent,
  type DragStartEvent,
} from '@dnd-kit/core';
import type { Stage } from '../../shared/enums.js';
import { SEARCH_QUERY_MAX } from '../../shared/limits.js';
import type { ChampionCard, ConflictItem } from '../../shared/ipc.js';
import { isValidTransition } from '../../shared/stageRules.js';
import { call } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';
import { durationLabel, durationSince } from '../lib/dates.js';
import { useNavigation } from '../lib/navigation.js';
import { useNow } from '../lib/useNow.js';
import { useShellActions } from '../lib/shellActions.js';
import { isTypingTarget } from '../lib/keyboard.js';
import { PendingBadge, stageLabel } from '../components/Badges.js';
import { MoveMenu } from '../components/MoveMenu.js';
import { CardDetail } from '../components/CardDetail.js';
import { describeConflict } from '../lib/conflictWords.js';
import { ErrorState, Loading } from '../components/States.js';
import { Icon } from '../components/Icon.js';
import { FirstSyncState, useFirstSync } from '../components/FirstSyncState.js';
import { cohortIdOf, GLOBAL_PIPELINE, PipelineOptions } from '../components/PipelineOptions.js';

type Overlay = { kind: 'none' } | { kind: 'move'; id: string; to?: Stage } | { kind: 'detail'; id: string };

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** Whether a card matches the board's search: every typed word in the name, email or notes. */
function matches(card: ChampionCard, words: readonly string[]): boolean {
  if (words.length === 0) return true;
  const text = fold(`${card.userName ?? ''} ${card.userEmail ?? ''} ${card.champion.notes}`);
  return words.every((w) => text.includes(w));
}

/** The middle of the cards' times in their stage (ms), or null for an empty column. */
function medianTimeInStage(cards: readonly ChampionCard[], now: number): number | null {
  const spans = cards.flatMap((c) => (c.enteredStageAt ? [Math.max(0, now - Date.parse(c.enteredStageAt))] : [])).sort((a, b) => a - b);
  if (spans.length === 0) return null;
  const mid = Math.floor(spans.length / 2);
  return spans.length % 2 ? spans[mid]! : (spans[mid - 1]! + spans[mid]!) / 2;
}

const cardDomId = (id: string) => `card-${id}`;

function focusCard(id: string) {
  document.getElementById(cardDomId(id))?.focus();
}

function Card({
  card,
  conflicts,
  now,
  onOpen,
  onMoveMenu,
  onNavigate,
}: {
  card: ChampionCard;
  conflicts: ConflictItem[];
  now: number;
  onOpen: () => void;
  onMoveMenu: () => void;
  onNavigate: (e: KeyboardEvent<HTMLElement>) => void;
}) {
  const c = card.champion;
  // The card stays in its column while dragged (dimmed); a copy follows the pointer (DragOverlay).
  const { setNodeRef, listeners, isDragging } = useDraggable({ id: c.id, data: { stage: c.stage } });
  const name = card.userName ?? 'A member not on this laptop';
  return (
    <article
      ref={setNodeRef}
      {...listeners}
      id={cardDomId(c.id)}
      className={isDragging ? 'card drag-source' : 'card'}
      tabIndex={0}
      aria-label={`${name}, ${stageLabel(c.stage)}${card.pending ? ', pending sync' : ''}${conflicts.length ? ', has a conflict' : ''}`}
      aria-describedby="card-keys"
      data-testid="champion-card"
      data-stage={c.stage}
      onClick={onOpen}
      onKeyDown={(e) => {
        if (isTypingTarget(e.target) || e.target !== e.currentTarget) return;
        if (e.key === 'm' || e.key === 'M' || e.key === 'Enter') {
          e.preventDefault();
          onMoveMenu();
        } else if (e.key === 'o' || e.key === ' ') {
          e.preventDefault();
          onOpen();
        } else onNavigate(e);
      }}
    >
      <CardBody card={card} conflicts={conflicts} now={now} />
    </article>
  );
}

/** What a card shows, on the board and in the copy that follows the pointer while dragging. */
function CardBody({ card, conflicts, now }: { card: ChampionCard; conflicts: ConflictItem[]; now: number }) {
  const c = card.champion;
  const name = card.userName ?? 'A member not on this laptop';
  const firstConflict = conflicts[0];
  const view = firstConflict ? describeConflict(firstConflict) : null;
  return (
    <>
      <div className="card-name">{name}</div>
      {card.userEmail ? <div className="card-email muted small">{card.userEmail}</div> : null}
      {c.notes ? <p className="card-notes">{c.notes}</p> : null}
      <div className="card-foot">
        <span className="muted small">{card.enteredStageAt ? durationSince(card.enteredStageAt, now) : ''}</span>
        {card.pending ? <PendingBadge /> : null}
        {card.openConflicts > 0 ? (
          <span className="badge badge-conflict" data-testid="conflict-badge">
            <Icon name="warning" size={12} /> Conflict
          </span>
        ) : null}
      </div>
      {view ? (
        <div className="card-conflict small" data-testid="card-conflict">
          <div>
            <strong>Server:</strong> {view.server}
          </div>
          <div>
            <strong>Yours:</strong> {view.mine}
          </div>
        </div>
      ) : null}
    </>
  );
}

function Column({
  stage,
  count,
  shown,
  median,
  drag,
  children,
}: {
  stage: Stage;
  count: number;
  /** Cards left by the search (null: no search). */
  shown: number | null;
  median: number | null;
  drag: { from: Stage; height: number } | null;
  children: ReactNode;
}) {
  const blocked = drag !== null && drag.from !== stage && !isValidTransition(drag.from, stage);
  const { setNodeRef, isOver } = useDroppable({ id: stage, disabled: blocked });
  const accepting = isOver && !blocked && drag !== null && drag.from !== stage;
  const cls = ['column', `column-${stage}`, accepting ? 'over' : '', blocked ? 'blocked' : ''].join(' ');
  return (
    <section ref={setNodeRef} className={cls} aria-labelledby={`col-${stage}`} data-testid={`column-${stage}`}>
      <header className="column-header">
        <h2 id={`col-${stage}`}>{stageLabel(stage)}</h2>
        <span className="column-count" data-testid={`count-${stage}`} aria-label={`${count} in ${stageLabel(stage)}`}>
          {count}
        </span>
      </header>
      <div className="column-metrics muted small" data-testid={`metric-${stage}`}>
        {shown !== null ? `${shown} shown · ` : ''}
        {median === null ? 'median time in stage: —' : `median ${durationLabel(median)} in stage`}
      </div>
      {blocked ? <div className="column-blocked small">Only one step at a time</div> : null}
      <div className="column-cards">
        {/* Where the card will land: the cards below make room for it. */}
        {accepting ? (
          <div className="drop-gap small" data-testid="drop-gap" style={{ height: drag.height }}>
            Drop to move to {stageLabel(stage)}
          </div>
        ) : null}
        {children}
      </div>
    </section>
  );
}

export function ChampionsScreen({ initialCohortId }: { initialCohortId: string | null }) {
  const now = useNow();
  const actions = useShellActions();
  const { route, replace } = useNavigation();
  const search = route.screen === 'champions' ? (route.q ?? '') : '';
  const [cohort, setCohortState] = useState<string>(initialCohortId ?? GLOBAL_PIPELINE);
  const cohortId = cohortIdOf(cohort);
  const setCohort = (value: string) => {
    setCohortState(value);
    replace({ screen: 'champions', cohortId: cohortIdOf(value), q: search });
  };
  const setSearch = (q: string) => replace({ screen: 'champions', cohortId, q });
  const words = fold(search).split(/\s+/).filter(Boolean);
  const firstSync = useFirstSync();
  const [overlay, setOverlay] = useState<Overlay>({ kind: 'none' });
  const [drag, setDrag] = useState<{ id: string; from: Stage; height: number } | null>(null);
  const [focusAfter, setFocusAfter] = useState<{ id: string; stage: Stage } | null>(null);

  const board = useQuery({
    queryKey: qk.board(cohortId),
    queryFn: () => call('board.get', { cohortId }),
    placeholderData: keepPreviousData,
  });
  const conflicts = useQuery({ queryKey: qk.conflicts(), queryFn: () => call('conflicts.list', {}) });
  const conflictsByCard = useMemo(() => {
    const map = new Map<string, ConflictItem[]>();
    for (const c of conflicts.data?.conflicts ?? []) {
      if (c.entityTable !== 'champion' || !c.entityId) continue;
      map.set(c.entityId, [...(map.get(c.entityId) ?? []), c]);
    }
    return map;
  }, [conflicts.data]);

  const allCards = useMemo(() => board.data?.columns.flatMap((col) => col.cards) ?? [], [board.data]);
  const findCard = (id: string) => allCards.find((c) => c.champion.id === id);

  // After a keyboard move the card re-mounts in its new column once the board reloads; put
  // focus back on it there (not on the old element, which is about to go).
  useEffect(() => {
    if (!focusAfter || overlay.kind !== 'none') return;
    if (allCards.some((c) => c.champion.id === focusAfter.id && c.champion.stage === focusAfter.stage)) {
      focusCard(focusAfter.id);
      setFocusAfter(null);
    }
  }, [allCards, focusAfter, overlay.kind]);

  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 6 } }));
  const onDragStart = (e: DragStartEvent) => {
    const stage = (e.active.data.current as { stage?: Stage } | undefined)?.stage;
    const height = e.active.rect.current.initial?.height ?? 80;
    setDrag(stage ? { id: String(e.active.id), from: stage, height } : null);
  };
  const onDragEnd = (e: DragEndEvent) => {
    setDrag(null);
    const from = (e.active.data.current as { stage?: Stage } | undefined)?.stage;
    const to = e.over?.id as Stage | undefined;
    if (!from || !to || from === to || !isValidTransition(from, to)) return;
    // As after a keyboard move: the move menu, with the stage chosen, asks for an optional reason.
    setOverlay({ kind: 'move', id: String(e.active.id), to });
  };
  const dragged = drag ? findCard(drag.id) : undefined;

  /** ↑/↓ (j/k) within a column, ←/→ (h/l) across columns. */
  const navigate = (e: KeyboardEvent<HTMLElement>, stageIndex: number, cardIndex: number) => {
    const columns = board.data?.columns ?? [];
    let target: ChampionCard | undefined;
    if (e.key === 'ArrowDown' || e.key === 'j') target = columns[stageIndex]?.cards[cardIndex + 1];
    else if (e.key === 'ArrowUp' || e.key === 'k') target = columns[stageIndex]?.cards[cardIndex - 1];
    else if (e.key === 'ArrowRight' || e.key === 'l' || e.key === 'ArrowLeft' || e.key === 'h') {
      const dir = e.key === 'ArrowRight' || e.key === 'l' ? 1 : -1;
      for (let s = stageIndex + dir; s >= 0 && s < columns.length && !target; s += dir) {
        const col = columns[s];
        if (col && col.cards.length) target = col.cards[Math.min(cardIndex, col.cards.length - 1)];
      }
    } else return;
    e.preventDefault();
    if (target) focusCard(target.champion.id);
  };

  const overlayCard = overlay.kind !== 'none' ? findCard(overlay.id) : undefined;

  return (
    <div className="screen screen-champions">
      <header className="screen-header">
        <div>
          <h1>Champions</h1>
          <p className="muted">Candidate → Selected → Champion → Alumni, one step at a time.</p>
        </div>
        <div className="header-actions">
          <label className="select">
            <span>Find a card</span>
            <input
              type="search"
              value={search}
              maxLength={SEARCH_QUERY_MAX}
              placeholder="Name, email or notes"
              onChange={(e) => setSearch(e.target.value)}
            />
          </label>
          <label className="select">
            <span>Pipeline</span>
            <select aria-label="Cohort" value={cohort} onChange={(e) => setCohort(e.target.value)}>
              <PipelineOptions withStatus current={cohort} />
            </select>
          </label>
          <button type="button" className="btn btn-primary" onClick={() => actions.addCandidate({ cohortId })}>
            <Icon name="plus" /> Add a candidate
          </button>
        </div>
      </header>
      <p id="card-keys" className="hint muted small">
        Cards: <kbd>Enter</kbd> or <kbd>m</kbd> move to… · <kbd>o</kbd> details · <kbd>↑</kbd>
        <kbd>↓</kbd>/<kbd>j</kbd>
        <kbd>k</kbd> within a stage · <kbd>←</kbd>
        <kbd>→</kbd> across stages · or drag a card to the next stage
      </p>
      {firstSync ? (
        <FirstSyncState status={firstSync} />
      ) : board.isPending ? (
        <Loading label="Loading the board…" />
      ) : board.isError ? (
        <ErrorState error={board.error} onRetry={() => void board.refetch()} />
      ) : (
        <DndContext
          sensors={sensors}
          collisionDetection={pointerWithin}
          onDragStart={onDragStart}
          onDragEnd={onDragEnd}
          onDragCancel={() => setDrag(null)}
        >
          <div className="board" data-testid="board">
            {board.data.columns.map((col, stageIndex) => {
              const cards = col.cards.filter((c) => matches(c, words));
              return (
                <Column
                  key={col.stage}
                  stage={col.stage}
                  count={col.count}
                  shown={words.length > 0 ? cards.length : null}
                  median={medianTimeInStage(col.cards, now)}
                  drag={drag}
                >
                  {cards.length === 0 ? <div className="column-empty muted small">{words.length > 0 ? 'No card matches' : 'No one here'}</div> : null}
                  {cards.map((card, cardIndex) => (
                    <Card
                      key={card.champion.id}
                      card={card}
                      conflicts={conflictsByCard.get(card.champion.id) ?? []}
                      now={now}
                      onOpen={() => setOverlay({ kind: 'detail', id: card.champion.id })}
                      onMoveMenu={() => setOverlay({ kind: 'move', id: card.champion.id })}
                      onNavigate={(e) => navigate(e, stageIndex, cardIndex)}
                    />
                  ))}
                  {col.count > col.cards.length ? <div className="column-more muted small">and {col.count - col.cards.length} more</div> : null}
                </Column>
              );
            })}
          </div>
          <DragOverlay dropAnimation={null}>
            {dragged ? (
              <article className="card dragging" aria-hidden="true">
                <CardBody card={dragged} conflicts={conflictsByCard.get(dragged.champion.id) ?? []} now={now} />
              </article>
            ) : null}
          </DragOverlay>
        </DndContext>
      )}
      {overlay.kind === 'move' && overlayCard ? (
        <MoveMenu
          card={overlayCard}
          {...(overlay.kind === 'move' && overlay.to ? { initialTo: overlay.to } : {})}
          onClose={() => setOverlay({ kind: 'none' })}
          onMoved={(id, to) => {
            setOverlay({ kind: 'none' });
            setFocusAfter({ id, stage: to });
          }}
        />
      ) : null}
      {overlay.kind === 'detail' && overlayCard ? (
        <CardDetail
          card={overlayCard}
          conflicts={conflictsByCard.get(overlayCard.champion.id) ?? []}
          onClose={() => setOverlay({ kind: 'none' })}
          onMove={() => setOverlay({ kind: 'move', id: overlayCard.champion.id })}
        />
      ) : null}
    </div>
  );
}
