import * as N from './bench-new';
import * as O from './bench-old';
for (let k = 0; k < 3; k++) for (const [name, m] of [['new', N], ['old', O]] as const) {
  console.log('=== ' + name);
  await m.run({ suite: 'x', backends: [], quick: true, jsonPath: '/tmp/ab-' + name + '.json', options: {} as never });
}
