// measured-core ships no type declarations; the little the benchmarks use.
declare module 'measured-core' {
  export class Counter {
    inc(n?: number): void;
    toJSON(): number;
  }
  export class Meter {
    constructor(options?: object);
    mark(n?: number): void;
    toJSON(): Record<string, number>;
    end(): void;
  }
  export class Histogram {
    update(value: number): void;
    toJSON(): Record<string, number>;
  }
}
