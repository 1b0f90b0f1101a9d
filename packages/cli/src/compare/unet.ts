/**
 * The small U-Net that `losskit compare` trains (tfjs-layers, about 30 000 parameters at 8 base filters):
 * two resolution levels below the input, two 3×3 convolutions per block, max-pooling down, nearest-neighbour
 * upsampling and skip concatenation up, and a 1×1 sigmoid head.
 *
 * Its convolutions are a custom layer whose gradient is written with forward convolutions. The stock
 * `tf.layers.conv2d` cannot train on the wasm backend: tfjs-backend-wasm 4.22 has no
 * `Conv2DBackpropFilter` kernel (tfjs#8474), and its `Conv2DBackpropInput` is a naive loop. Here
 * dx = conv(dy, W rotated by 180° with in/out channels swapped), and dW is the correlation of the padded input
 * with dy, computed as one convolution with the batch as the contracted channel axis:
 * dW[a,b,c,f] = Σ_{n,y,x} x̃[n,y+a,x+b,c]·dy[n,y,x,f] = conv(x̃ᵀ[c,y,x,n], dyᵀ[y,x,n,f]). Both use the
 * XNNPACK forward kernel, which makes a training step about 15× faster on wasm than the stock gradient
 * (measured on 2 cores), and the values agree with tf.grad of tf.conv2d (see unet.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { Tensor } from '@tensorflow/tfjs';

type Tensor4 = tf.Tensor4D;

/** A stride-1 'same' convolution with an odd square kernel and a gradient built from forward convolutions. */
export const sameConv2d: (x: Tensor4, w: Tensor4) => Tensor4 = tf.customGrad(((
  x: Tensor4,
  w: Tensor4,
  save: tf.GradSaveFunc,
) => {
  save([x, w]);
  return {
    value: tf.conv2d(x, w, 1, 'same'),
    gradFunc: (dy: Tensor4, saved: Tensor[]) => {
      const [xs, ws] = saved as [Tensor4, Tensor4];
      const k = ws.shape[0];
      const p = (k - 1) / 2;
      const dx = tf.conv2d(dy, tf.transpose(tf.reverse(ws, [0, 1]), [0, 1, 3, 2]), 1, 'same');
      const xp =
        p > 0
          ? tf.pad(xs, [
              [0, 0],
              [p, p],
              [p, p],
              [0, 0],
            ])
          : xs;
      const xt = tf.transpose(xp, [3, 1, 2, 0]); // [C, H+2p, W+2p, N]
      const dyt = tf.transpose(dy, [1, 2, 0, 3]); // [H, W, N, F]: a filter with N input channels
      const dw = tf.transpose(tf.conv2d(xt, dyt, 1, 'valid'), [1, 2, 0, 3]); // [C,k,k,F] → [k,k,C,F]
      return [dx, dw];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: Tensor4, w: Tensor4) => Tensor4;

interface ConvSpec {
  readonly filters: number;
  readonly kernelSize: 1 | 3;
  readonly activation: 'relu' | 'sigmoid';
  readonly seed: number;
  readonly name: string;
}

/** A convolution + bias + activation layer using {@link sameConv2d}. He-normal kernels from a seed, zero bias. */
class SameConv2D extends tf.layers.Layer {
  static readonly className = 'LosskitSameConv2D';
  private kernel: tf.LayerVariable | undefined;
  private bias: tf.LayerVariable | undefined;
  private readonly spec: ConvSpec;

  constructor(spec: ConvSpec) {
    super({ name: spec.name });
    this.spec = spec;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1] ?? 1;
    const { kernelSize: k, filters, seed } = this.spec;
    this.kernel = this.addWeight(
      'kernel',
      [k, k, channels, filters],
      'float32',
      tf.initializers.heNormal({ seed }),
    );
    this.bias = this.addWeight('bias', [filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...shape.slice(0, -1), this.spec.filters];
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as Tensor4;
      const y = tf.add(sameConv2d(x, this.kernel!.read() as Tensor4), this.bias!.read());
      return this.spec.activation === 'relu' ? tf.relu(y) : tf.sigmoid(y);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.spec };
  }
}

/**
 * Builds the U-Net for `size`×`size`×1 inputs (size divisible by 4), with `filters` channels in the first
 * block, doubling per level. The same `seed` gives the same initial weights.
 */
export function buildUnet(size: number, filters = 8, seed = 1): tf.LayersModel {
  if (size % 4 !== 0) throw new Error(`buildUnet: size must be divisible by 4, got ${size}`);
  let n = 0;
  const conv = (x: tf.SymbolicTensor, f: number): tf.SymbolicTensor =>
    new SameConv2D({
      filters: f,
      kernelSize: 3,
      activation: 'relu',
      seed: seed * 100 + ++n,
      name: `conv${n}`,
    }).apply(x) as tf.SymbolicTensor;
  const block = (x: tf.SymbolicTensor, f: number) => conv(conv(x, f), f);
  const pool = (x: tf.SymbolicTensor) =>
    tf.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  const up = (x: tf.SymbolicTensor) => tf.layers.upSampling2d({ size: [2, 2] }).apply(x) as tf.SymbolicTensor;
  const cat = (a: tf.SymbolicTensor, b: tf.SymbolicTensor) =>
    tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor;

  const input = tf.input({ shape: [size, size, 1] });
  const e1 = block(input, filters);
  const e2 = block(pool(e1), 2 * filters);
  const bottom = block(pool(e2), 4 * filters);
  const d2 = block(cat(up(bottom), e2), 2 * filters);
  const d1 = block(cat(up(d2), e1), filters);
  const output = new SameConv2D({
    filters: 1,
    kernelSize: 1,
    activation: 'sigmoid',
    seed: seed * 100 + 99,
    name: 'head',
  }).apply(d1) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'losskit_unet' });
}
