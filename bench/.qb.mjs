import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
const lib = await import('/work/main/dist/index.js');
const n = 2 ** 20;
const which = process.argv.slice(2);
const L = { bce: [lib.binaryCrossentropy, { fromLogits: true }], mse: [lib.meanSquaredError, {}], dice: [lib.dice, { activation: 'sigmoid' }], focal: [lib.binaryFocalCrossentropy, { fromLogits: true }], cce: [lib.categoricalCrossentropy, { fromLogits: true }], tversky: [lib.tversky, { activation: 'sigmoid' }] };
await tf.setBackend('wasm'); await tf.ready(); await tf.setBackend('cpu'); await tf.ready();
const x = new Float32Array(n), y = new Float32Array(n), oh = new Float32Array(n);
for (let i = 0; i < n; i++) { x[i] = Math.random() * 8 - 4; y[i] = Math.random() < 0.25 ? 1 : 0; }
for (let r = 0; r < n / 4; r++) oh[4 * r + (r % 4)] = 1;
for (const be of ['wasm', 'cpu']) {
  tf.setBackend(be);
  for (const name of which) {
    const [f, o] = L[name];
    const shape = name === 'cce' ? [n / 4, 4] : name === 'dice' || name === 'tversky' ? [1, n, 1] : [n, 1];
    const yt = tf.tensor(name === 'cce' ? oh : y, shape), yp = tf.tensor(x, shape);
    const vg = tf.valueAndGrad((p) => f(yt, p, o));
    const call = () => { const { value, grad } = vg(yp); value.dataSync(); tf.dispose([value, grad]); };
    for (let i = 0; i < 5; i++) call();
    const ts = [];
    for (let r = 0; r < 9; r++) { const t0 = performance.now(); call(); ts.push(performance.now() - t0); }
    ts.sort((a, b) => a - b);
    console.log(be, name, (n / ts[4] / 1e3).toFixed(1), 'Melem/s', (ts[4] / n * 1e6).toFixed(2), 'ns/elem');
    tf.dispose([yt, yp]);
  }
}
