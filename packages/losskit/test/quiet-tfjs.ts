// tfjs-backend-cpu greets Node users once per module instance, on its first tensor write, through console.warn:
// "Hi, looks like you are running TensorFlow.js in Node.js. To speed things up dramatically, install our node
// backend…". Every test file loads its own instance, so the test log would repeat it per file. That one message
// is dropped here (as the CLI does in packages/cli/src/backend.ts); every other warning passes through.
export const TFJS_NODE_BANNER = 'Hi, looks like you are running TensorFlow.js in Node.js';

/** `warn` without the tfjs Node banner. */
export function withoutTfjsBanner(warn: (...args: unknown[]) => void): (...args: unknown[]) => void {
  return (...args: unknown[]) => {
    if (args.some((a) => typeof a === 'string' && a.includes(TFJS_NODE_BANNER))) return;
    warn(...args);
  };
}

console.warn = withoutTfjsBanner(console.warn.bind(console));
