/**
 * The library conventions of segmentation-region.md §1.7 as partial options objects. `defineLoss`/`defineMetric`
 * merge the chosen row under the user's explicit options (core's `applyPresets`), restricted to the options the loss
 * declares, so a row may name options that only some losses have.
 */
import type { PresetTable } from '../core/options.ts';
import type { OptionValue } from '../core/types.ts';
import type { Preset } from './params.ts';

type Row = Readonly<Record<string, OptionValue>>;

export const PRESETS: Readonly<Record<Preset, Row>> = {
  // MONAI's DiceLoss/TverskyLoss/GeneralizedDiceLoss defaults are losskit's.
  monai: {},
  smp: {
    reduceBatch: true,
    reduceChannels: false,
    smoothNr: 0,
    smoothDr: 0,
    epsClamp: 1e-7,
    maskEmptyClasses: true,
  },
  keras: { reduceBatch: true, reduceChannels: true, smoothNr: 0, smoothDr: 1e-7 },
  jadon: { reduceBatch: true, reduceChannels: true, smoothNr: 1, smoothDr: 1 },
  yeung: { smoothNr: 1e-6, smoothDr: 1e-6 },
};

/** The §1.7 table with a loss's own deviations (`overrides`) laid over the rows they name. */
export function regionPresets(overrides: Readonly<Partial<Record<Preset, Row>>> = {}): PresetTable {
  const out: Record<string, Row> = {};
  for (const [name, row] of Object.entries(PRESETS)) out[name] = { ...row, ...overrides[name as Preset] };
  return out;
}
