/**
 * Pins fast-check's seed for a test file, so that CI runs the same cases every time (a red CI
 * must reproduce). `FC_SEED=<n>` explores other cases locally; `FC_SEED=random` lets fast-check
 * pick (it prints the seed of a failure).
 */
import fc from 'fast-check';

const env = process.env.FC_SEED;
if (env !== 'random') fc.configureGlobal({ seed: env === undefined ? 20261125 : Number(env) });
