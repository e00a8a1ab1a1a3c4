/**
 * A batch of datapoints as the encoders take it: parallel arrays of names and values that all
 * share one timestamp (every datapoint of a push carries the same, period-aligned time).
 */

/** Datapoints of one push: `names[i]` has `values[i]`, all at `timestamp` (seconds since the epoch). */
export interface DatapointBatch {
  readonly names: readonly string[];
  readonly values: readonly number[];
  /** Seconds since the epoch (an integer in practice: carbon's whisper rounds to its step anyway). */
  readonly timestamp: number;
}

/** One encoded unit of sending: whole lines or one whole pickle frame, never a partial datapoint. */
export interface EncodedChunk {
  readonly bytes: Buffer;
  /** Number of datapoints it holds (for the sent and dropped counts). */
  readonly count: number;
}
