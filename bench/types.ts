/** What each benchmark scenario hands to the report (bench/report.ts). */

export interface Goal {
  text: string;
  met: boolean;
  /** The measured figure against the goal, e.g. "ours/raw = 0.97". */
  detail: string;
}

export interface ChartBar {
  label: string;
  value: number;
  /** Highlight (our component) vs baseline. */
  ours?: boolean;
}

export interface Chart {
  title: string;
  unit: string;
  bars: ChartBar[];
}

export interface ScenarioResult {
  key: string;
  title: string;
  /** What was measured and how (one paragraph of Markdown). */
  method: string;
  columns: string[];
  rows: (string | number)[][];
  goals: Goal[];
  charts: Chart[];
  /** Lines for the console summary. */
  summary: string[];
  notes?: string[];
  raw: unknown;
}

export interface ScenarioOptions {
  /** Fewer runs and smaller data (BENCH_QUICK=1), for a smoke run. */
  quick: boolean;
}
