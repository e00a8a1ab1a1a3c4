// README "Class-based stats": a parent whose children's stats aggregate up to it.
import * as scales from 'scales-metrics';

class Processor {
  stats = scales.init(this, '/processor', scales.histogramAggregationStat('state'), scales.sumAggregationStat('finished'));
  private threads = 0;
  createThread(): SomeThread {
    return new SomeThread(this, this.threads++);
  }
}

class SomeThread {
  stats;
  constructor(parent: Processor, id: number) {
    this.stats = scales.initChild(this, parent, `thread-${id}`, scales.stat('state', 'starting'), scales.intStat('finished'));
  }
  processOne(): void {
    this.stats.state = 'waitingForTask';
    this.stats.state = 'performingTask';
    this.stats.finished += 1;
    this.stats.state = 'waitingForTask';
  }
}

const processor = new Processor();
const a = processor.createThread();
const b = processor.createThread();
a.processOne();
a.processOne();
b.processOne();
b.stats.state = 'performingTask';

console.log(processor.stats.finished); // 3: the sum over the threads
console.log(processor.stats.state.waitingForTask); // 1: threads in that state now
console.log(JSON.stringify(scales.getStats('/processor')));
