/**
 * What every experiment returns: estimates (one arm's metric with its 95% interval) and contrasts (a difference
 * of two arms with its 95% interval), printed as one table and shown in the HTML report.
 *
 * @packageDocumentation
 */

/** `proportion`: an accuracy or rate in [0, 1] (Wilson interval); `mean`: a mean score (normal interval). */
export type EstimateKind = 'proportion' | 'mean';

/** One arm's metric. */
export interface Estimate {
  arm: string;
  metric: string;
  kind: EstimateKind;
  value: number;
  low: number;
  high: number;
  n: number;
  /** Correct items (proportions only). */
  correct?: number;
}

/** `treatment − baseline` for one metric. */
export interface Contrast {
  metric: string;
  baseline: string;
  treatment: string;
  value: number;
  low: number;
  high: number;
  n: number;
  /** Paired (same items, Newcombe's paired interval or the mean of paired differences) or independent samples. */
  method: 'paired' | 'unpaired' | 'paired-mean';
}

/** A finished experiment. */
export interface ExperimentResult {
  experiment: string;
  title: string;
  estimates: Estimate[];
  contrasts: Contrast[];
  /** Notes printed under the table (what was not measured, and why). */
  notes: string[];
  /** The printed table. */
  table: string;
  /** The HTML report. */
  report: string;
  /** Wall-clock seconds of the experiment (its share of the base run included when it ran here). */
  seconds: number;
}
