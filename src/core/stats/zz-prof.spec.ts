import { statsPipeline } from '../pipelines/stats.pipeline';
import { runToCompletion } from '../work';
it('prof', () => {
  const ROWS = 250_000;
  const columns: Record<string, (number | null)[]> = { g: [], offset: [], y: [], digit: [] };
  for (let row = 0; row < ROWS; row++) {
    columns.g.push(Math.random() < 0.01 ? null : Math.random());
    columns.offset.push(1e6 + Math.random());
    columns.y.push(Math.random() < 0.02 ? null : Math.random());
    columns.digit.push(Math.floor(Math.random() * 10));
  }
  let t = performance.now();
  const input = runToCompletion(statsPipeline.validate({ columns, bins: 20 }));
  console.log('validate', performance.now() - t);
  let state = statsPipeline.init(input);
  for (const step of statsPipeline.steps) {
    t = performance.now();
    state = runToCompletion(step.run(state, { random: Math.random })).state;
    console.log(step.name, performance.now() - t);
  }
  const csv = 'g,offset,y,digit\n' + Array.from({ length: ROWS }, (_, r) => ['g','offset','y','digit'].map((n) => columns[n][r] ?? '').join(',')).join('\n');
  t = performance.now();
  const input2 = runToCompletion(statsPipeline.validate({ csv, bins: 20 }));
  console.log('validate csv', performance.now() - t);
  state = statsPipeline.init(input2);
  for (const step of statsPipeline.steps) {
    t = performance.now();
    state = runToCompletion(step.run(state, { random: Math.random })).state;
    console.log(step.name, performance.now() - t);
  }
});
