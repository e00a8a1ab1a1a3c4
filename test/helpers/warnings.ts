// Process warnings seen while a piece of a test runs. Imports nothing of the library, so tests
// of the package and tests of src can both use it.

/** Warnings of one code emitted while `fn` runs (and the turn after it). */
export async function warningsDuring(code: string, fn: () => Promise<void>): Promise<Error[]> {
  const seen: Error[] = [];
  const onWarning = (w: Error & { code?: string }) => {
    if (w.code === code) seen.push(w);
  };
  process.on('warning', onWarning);
  try {
    await fn();
    await new Promise((r) => setImmediate(r)); // emitWarning reports on the next tick
  } finally {
    process.off('warning', onWarning);
  }
  return seen;
}
