// Property tests run from a fixed seed so a CI run is reproducible: a red build is a defect in the code,
// never a lucky draw. FC_SEED=random explores new inputs (do it before a commit that touches a loss);
// FC_SEED=<integer> replays a reported failure.
import fc from 'fast-check';

const raw = process.env.FC_SEED ?? '20261129';
if (raw !== 'random') {
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer or "random", got "${raw}"`);
  fc.configureGlobal({ seed });
}
