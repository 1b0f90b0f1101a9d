/**
 * `npm start`: trains a tiny convolutional network on the synthetic lesion set at three foreground levels
 * (balanced, skewed, heavily imbalanced) with several segmentation losses, then prints the held-out Dice of
 * each. It shows, on real training runs, which loss copes with which class balance.
 */
import '@tensorflow/tfjs-backend-wasm';
import { getLoss } from '../index.ts';
import { tf } from '../tf.ts';
import { makeLesions } from './lesions.ts';

const LOSSES: [string, Record<string, unknown>][] = [
  ['binary_crossentropy', {}],
  ['dice', {}],
  ['focal', {}],
  ['tversky', {}],
  ['focal_tversky', {}],
];
const LEVELS = [0.3, 0.05, 0.01];
const SIZE = 32;
const TRAIN = 48;
const TEST = 16;
const EPOCHS = Number(process.env.LOSSKIT_DEMO_EPOCHS ?? 25);

function model(seed: number): tf.Sequential {
  const m = tf.sequential();
  const init = (s: number) => tf.initializers.heNormal({ seed: seed + s });
  m.add(
    tf.layers.conv2d({
      inputShape: [SIZE, SIZE, 1],
      filters: 8,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(1),
    }),
  );
  m.add(
    tf.layers.conv2d({
      filters: 8,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(2),
    }),
  );
  m.add(tf.layers.conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid', kernelInitializer: init(3) }));
  return m;
}

/** Hard Dice of thresholded predictions over the whole test set (1 when both are empty). */
function testDice(pred: Float32Array | Int32Array | Uint8Array, truth: Float32Array): number {
  let tp = 0;
  let p = 0;
  let g = 0;
  for (let i = 0; i < truth.length; i++) {
    const b = pred[i] > 0.5 ? 1 : 0;
    tp += b * truth[i];
    p += b;
    g += truth[i];
  }
  return p + g === 0 ? 1 : (2 * tp) / (p + g);
}

async function main(): Promise<void> {
  const backend = (await tf.setBackend('wasm').catch(() => false)) ? 'wasm' : 'cpu';
  if (backend === 'cpu') await tf.setBackend('cpu');
  await tf.ready();
  console.log(
    `losskit demo: ${LOSSES.length} losses × ${LEVELS.length} foreground levels, ${EPOCHS} epochs, backend ${backend}\n`,
  );
  const table: Record<string, Record<string, number>> = {};
  for (const level of LEVELS) {
    const train = makeLesions(TRAIN, SIZE, level, 1000 + Math.round(level * 1e4));
    const test = makeLesions(TEST, SIZE, level, 2000 + Math.round(level * 1e4));
    const x = tf.tensor4d(train.images, [TRAIN, SIZE, SIZE, 1]);
    const y = tf.tensor4d(train.masks, [TRAIN, SIZE, SIZE, 1]);
    const xt = tf.tensor4d(test.images, [TEST, SIZE, SIZE, 1]);
    const column = `fg ${(train.foreground * 100).toFixed(1)}%`;
    for (const [name, options] of LOSSES) {
      const loss = getLoss(name, options);
      const m = model(7);
      const optimizer = tf.train.adam(0.01);
      m.compile({ optimizer, loss });
      const t0 = performance.now();
      const h = await m.fit(x, y, { epochs: EPOCHS, batchSize: 16, verbose: 0, shuffle: false });
      const seconds = (performance.now() - t0) / 1000;
      const pred = tf.tidy(() => (m.predict(xt) as tf.Tensor).dataSync());
      const dice = testDice(pred, test.masks);
      const losses = h.history.loss as number[];
      (table[loss.id] ??= {})[column] = dice;
      console.error(
        `  ${column.padEnd(10)} ${loss.id.padEnd(20)} loss ${losses[0].toFixed(4)} → ${losses[losses.length - 1].toFixed(4)}` +
          `  test Dice ${dice.toFixed(3)}  (${seconds.toFixed(1)} s)`,
      );
      m.dispose();
      optimizer.dispose();
    }
    tf.dispose([x, y, xt]);
  }
  const columns = Object.keys(Object.values(table)[0] ?? {});
  const best = Object.fromEntries(
    columns.map((c) => [c, Math.max(...Object.values(table).map((r) => r[c]))]),
  );
  console.log(`\n${'test Dice'.padEnd(20)}${columns.map((c) => c.padStart(13)).join('')}`);
  for (const [id, row] of Object.entries(table)) {
    console.log(
      `${id.padEnd(20)}${columns.map((c) => `${row[c] === best[c] ? '*' : ' '}${row[c].toFixed(3)}`.padStart(13)).join('')}`,
    );
  }
  console.log(
    '\n* best per foreground level. Guidance: balanced → BCE; mildly skewed → Dice; heavily imbalanced → focal family.',
  );
}

await main();
