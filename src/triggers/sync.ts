/**
 * What every polling trigger shares: "load history once, then every change exactly once".
 * A round reads the changes since the watermark page by page; its position (the in-flight cursor)
 * is kept in the polling state after every perform, so a round cut short by the page cap, the
 * daily token budget or a failure resumes where it stopped. The watermark moves only when a round
 * completes. With batching on (context.batch.enabled), a perform reads one page and hands the
 * platform the next-page marker on payload.paginationState; without it, one perform reads pages up
 * to the cap and returns them all in one execution, as the trigger always did.
 */
import { type ActionContext, input } from "@prismatic-io/spectral";
import { type PipedriveClient, PipedriveError, POLICY } from "../client";
import { describePolicy } from "../client/policy";
import { clean } from "../inputs";

/** How far each round looks back before the watermark, for records saved late with an older update_time. */
export const OVERLAP_MS = 2 * 60 * 1000;
/** Dedupe keys kept: only those inside the overlap window are needed; this caps the state anyway. */
export const MAX_SEEN = 5_000;
/** The default page cap per run (500 records a page). */
export const DEFAULT_MAX_PAGES_PER_RUN = 100;
/** The default batch size a builder sees when turning batching on. */
export const DEFAULT_BATCH_SIZE = 50;

export const lookBackDateInput = input({
  label: "Look Back Date",
  type: "string",
  required: false,
  example: "2026-01-01",
  comments:
    "Load history: on the first run, report every record updated on or after this date (a date, 2026-01-01, or a date-time with a time zone), then every change. Empty: start watching from now. Changing it later loads history again from the new date; a redeploy with the same date does not.",
  clean: clean.optionalDateTime("Look Back Date"),
});

export const maxPagesPerRunInput = input({
  label: "Max Pages Per Run",
  type: "string",
  required: false,
  default: `${DEFAULT_MAX_PAGES_PER_RUN}`,
  example: `${DEFAULT_MAX_PAGES_PER_RUN}`,
  comments:
    "At most this many pages (500 records each) are read in one run; the rest follows on the next run, from where this one stopped. Keeps a large history load within one execution's time and memory.",
  clean: clean.optionalInteger("Max Pages Per Run", 1, 100_000),
});

/** What the platform round-trips on payload.paginationState between the pages of one run. */
export interface RunPosition extends Record<string, unknown> {
  /** Pages this run has read so far. */
  pagesRead: number;
}

export const toMillis = (time: unknown): number => {
  if (typeof time !== "string" || !time) return Number.NaN;
  // v1 times are "YYYY-MM-DD HH:MM:SS" in UTC; v2 times are RFC 3339.
  return Date.parse(/Z|[+-]\d\d:?\d\d$/.test(time) ? time : `${time.replace(" ", "T")}Z`);
};
export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * Where a completed round leaves the watermark: when it began on Pipedrive's clock (`startedAt`, from
 * the Date of its first answer), or the newest update time it met if later. Going by the clock, quiet
 * rounds after a burst of changes do not read the minutes before the last change again.
 */
export const watermarkAfter = (newest: number, startedAt?: string): number =>
  Math.max(newest, toMillis(startedAt) || 0);

export const isBatched = (context: ActionContext): boolean => context.batch?.enabled === true;

/** Why a perform stopped reading before the round ended. */
export type StopReason = "roundComplete" | "pageLimit" | "budget" | "onePage";

/** The company's daily token budget is spent (429 with no tokens left) or about to be. */
export const isBudgetSpent = (error: unknown): boolean =>
  error instanceof PipedriveError && error.kind === "dailyBudget";

export function budgetLow(client: PipedriveClient): boolean {
  const { dailyTokensRemaining, dailyTokensLimit } = client.rateLimit();
  if (dailyTokensRemaining === undefined || !dailyTokensLimit) return false;
  // A round stops below this share of the daily budget, leaving the rest to other flows.
  return dailyTokensRemaining < dailyTokensLimit * POLICY.budgetReserve;
}

export interface PageLoop {
  /** Reads one page; returns true when the round is complete. */
  readPage: () => Promise<boolean>;
  context: ActionContext;
  payload: { paginationState?: unknown };
  client: PipedriveClient;
  maxPagesPerRun: number;
  what: string;
}

/**
 * Reads pages of a round under the rules above and says how far it got. The caller commits its
 * state afterwards (never before the records are handed over), so a failed perform leaves the
 * round where the last successful one left it.
 */
export async function readPages({ readPage, context, payload, client, maxPagesPerRun, what }: PageLoop) {
  const incoming = payload.paginationState as RunPosition | undefined;
  const before = incoming?.pagesRead ?? 0;
  const batched = isBatched(context);
  const allowed = batched ? 1 : Math.max(1, maxPagesPerRun - before);
  let read = 0;
  let reason: StopReason = "onePage";
  for (;;) {
    if (read >= allowed) {
      reason = before + read >= maxPagesPerRun ? "pageLimit" : "onePage";
      break;
    }
    try {
      const done = await readPage();
      read += 1;
      if (done) {
        reason = "roundComplete";
        break;
      }
    } catch (error) {
      if (!isBudgetSpent(error)) throw error;
      reason = "budget";
      break;
    }
    if (budgetLow(client)) {
      reason = "budget";
      break;
    }
  }
  const pagesRead = before + read;
  if (reason === "pageLimit")
    context.logger.info(
      `${what}: reached Max Pages Per Run (${maxPagesPerRun} pages) in this run; the next run continues from where this one stopped.`,
    );
  if (reason === "budget")
    context.logger.warn(
      `${what}: Pipedrive's daily API token budget is spent (or below the ${describePolicy.budgetReserve} kept for other flows) after ${pagesRead} pages in this run; stopped cleanly, and the next run resumes from where this one stopped once the budget resets.`,
    );
  const next: RunPosition | null = batched && reason === "onePage" ? { pagesRead } : null;
  return { reason, pagesRead, next };
}

/** The resolver every batched polling trigger shares: the next page marker is the perform's own. */
export const nextPaginationState = (_context: unknown, result: { payload: { paginationState?: unknown } }) =>
  (result.payload.paginationState as Record<string, unknown> | null | undefined) ?? null;
