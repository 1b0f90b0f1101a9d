/**
 * The `losskit` command line: commander wiring, option parsing and the exit-code contract
 * (0 success; 2 bad usage or bad input, with a one-line message; 1 an internal error).
 *
 * Each command's module is imported when that command runs: the catalog (and so TensorFlow.js, about 0.6 s to
 * load), the training code and the server cost start-up time that `--help` or another command should not pay.
 */
import { availableParallelism } from 'node:os';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { Task } from 'losskit';
import type { CompareOptions } from './commands/compare.ts';
import { DEFAULT_FG, DEFAULT_LOSSES, DEFAULTS } from './commands/compare-defaults.ts';
import type { EvalOptions } from './commands/eval.ts';
import { LIMITS } from './compare/guards.ts';
import type { Cli } from './context.ts';
import { UsageError, firstLine } from './errors.ts';

/** An integer option limited to `[lo, hi]`: checked when parsed, before any work. */
function intIn([lo, hi]: readonly [number, number]): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < lo || n > hi)
      throw new InvalidArgumentError(`expected an integer in [${lo}, ${hi}]`);
    return n;
  };
}

/** A number option in `(0, hi]`. */
function positiveUpTo(hi: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !(n > 0 && n <= hi))
      throw new InvalidArgumentError(`expected a number in (0, ${hi}]`);
    return n;
  };
}

const EVAL_HELP = `
Files: JSON nested arrays, PNG (8/16-bit grayscale), NIfTI (.nii, .nii.gz).
  PNG: a file holding only 0 and 1 is used as is; any other PNG is divided by 255 (or 65535), so a 0/255
  mask is binary and gray levels are probabilities.
  NIfTI: array axes are (i, j, k), the first being NIfTI's i/x; spacing comes from pixdim[1..3] in that
  order unless --spacing is given.
Label maps: when --true holds integer labels other than 0/1 (or --labels is given), each label is
  evaluated on its own binary masks; output {"labels": {"<label>": value}}. Otherwise {"value": …}.
  NIfTI label maps may hold any number of labels (an atlas); the labels found are listed on stderr.
Several metrics: one table (labels as rows, metrics as columns); JSON is an object keyed by metric id
  (id(key=value) for a metric given options in the list), each in the one-metric form. The files are read once.
Folders: --true DIR --pred DIR evaluates every pair of files with the same name (extension ignored),
  one row per file and label, then mean, std and median per metric and label (--csv FILE writes both).
Layout: segmentation losses and metrics get [1, ...shape, 1]; other losses get the JSON shape as written.

Examples:
  losskit eval dice_coefficient --true truth.png --pred pred.png --options '{"threshold": 0.5}'
  losskit eval hausdorff_distance --true seg.nii.gz --pred auto.nii.gz --options '{"percentile": 95}' --json
  losskit eval mse --true y.json --pred yhat.json
  losskit eval dice_coefficient,hausdorff_distance:percentile=95,surface_dice:tolerance=2 \\
    --true labels/ --pred predictions/ --csv results.csv`;

const COMPARE_HELP = `
Data sets:
  lesions  synthetic lesions generated on the fly (no download), one column per --fg fraction
  brain    skull stripping on the Colin27 T1 MRI from Debian's mricron-data package
           (/usr/share/mricron/templates/ch2.nii.gz, mask ch2bet.nii.gz > 0; apt-get install mricron-data);
           axial slices, train/test split by disjoint slice blocks
  DIR      a folder of image/mask pairs with the same file names:
             DIR/images/<name>.png|.nii|.nii.gz|.json and DIR/masks/<name>.<same or other of those>
           mask > 0 is foreground; 3-D NIfTI volumes are cut into axial slices (last array axis).
           For a fixed split use DIR/train/{images,masks} and DIR/test/{images,masks}; otherwise a quarter of
           the files (at least one) is held out, or a single volume is split by slice blocks.
Losses: names from 'losskit list', options as name:key=value, e.g. --losses dice,tversky:alpha=0.2:beta=0.8

Every loss trains the same U-Net from the same initial weights on the same images in the same order, with
Adam and the same budget; the metrics are for the held-out images, predictions thresholded at 0.5.`;

const ADVISE_HELP = `
PATH is a mask file, a folder of masks, or a folder with a masks/ subfolder (PNG, NIfTI, JSON); mask > 0 is
foreground (>= 0.5 for soft masks). Objects are connected components (4-neighbour in 2-D, 6 in 3-D); a 3-D
volume counts as one image.`;

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('expected an integer in [0, 65535]');
  return n;
}

/**
 * Builds the program; command actions write through `cli`. `serveUntil` ends `losskit serve` (tests pass a
 * promise they settle; the binary waits for Ctrl-C).
 */
export function buildProgram(cli: Cli, argv: readonly string[], serveUntil?: Promise<void>): Command {
  const program = new Command('losskit')
    .description('Exact, differentiable loss functions and segmentation metrics for TensorFlow.js')
    .version('0.1.0', '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => {
        cli.out(s.replace(/\n$/, ''));
      },
      writeErr: (s) => {
        cli.err(s.replace(/\n$/, ''));
      },
      outputError: (s, write) => {
        // One line: commander puts its "(Did you mean …?)" on a line of its own.
        write(
          `losskit: ${s
            .trim()
            .replace(/^error: /, '')
            .replace(/\s*\n\s*/g, ' ')}`,
        );
      },
    });

  program
    .command('list')
    .description('list every loss and metric in the catalog')
    .addOption(
      new Option('--task <task>', 'only this task').choices(['regression', 'classification', 'segmentation']),
    )
    .option('--json', 'print the full catalog entries as JSON')
    .action(async (o: { task?: Task; json?: boolean }) => {
      const { listCommand } = await import('./commands/list.ts');
      listCommand(cli, o);
    });

  program
    .command('explain')
    .description('formula, when to use, parameters (defaults, ranges) and references of a loss or metric')
    .argument('<name>', 'loss or metric name (any spelling: focal_tversky, focalTversky, FocalTversky)')
    .option('--json', 'print the catalog entry as JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      const { explainCommand } = await import('./commands/explain.ts');
      explainCommand(cli, name, o);
    });

  program
    .command('eval')
    .description('compute losses or metrics on a ground-truth file and a prediction file, or on two folders')
    .argument('<name>', 'loss or metric name, or several: dice_coefficient,hausdorff_distance:percentile=95')
    .requiredOption('--true <file>', 'ground truth (JSON, PNG, NIfTI), or a folder of them')
    .requiredOption(
      '--pred <file>',
      'prediction (JSON, PNG, NIfTI), or a folder matched to --true by file name',
    )
    .option(
      '--options <json>',
      'options as a JSON object: each goes to every listed metric that takes it; or {"<metric>": {…}, …}',
    )
    .option('--spacing <list>', 'voxel size per array axis, e.g. 1,1,2.5 (distance-based losses and metrics)')
    .option('--labels <list>', 'evaluate these integer labels, each as a binary mask, e.g. 1,2')
    .option(
      '--raw-shape',
      'pass JSON arrays with their own shape ([batch, ...spatial, channels]) instead of as one image',
    )
    .option('--json', 'print the result as JSON')
    .option('--csv <file>', 'also write the table (labels or files as rows, metrics as columns) as CSV')
    .addHelpText('after', EVAL_HELP)
    .action(async (name: string, o: EvalOptions) => {
      const { evalCommand } = await import('./commands/eval.ts');
      await evalCommand(cli, name, o);
    });

  program
    .command('compare')
    .description('train a small U-Net once per loss and rank the losses on held-out data')
    .option('--dataset <name>', 'lesions, brain, or a folder of image/mask pairs', 'lesions')
    .option('--losses <list>', 'comma-separated losses (name or name:key=value:…)', DEFAULT_LOSSES)
    .option('--fg <list>', `foreground fractions of the lesion set (default: "${DEFAULT_FG}")`)
    .option('--epochs <n>', 'training epochs per run', intIn(LIMITS.epochs), DEFAULTS.epochs)
    .option(
      '--size <n>',
      `image size, a multiple of 4 in [${LIMITS.size.join(', ')}] (default: ${DEFAULTS.lesionSize} for lesions, ${DEFAULTS.imageSize} otherwise)`,
      intIn(LIMITS.size),
    )
    .option('--seed <n>', 'seed for data, initial weights and batch order', intIn(LIMITS.seed), DEFAULTS.seed)
    .addOption(
      new Option('--backend <name>', 'TensorFlow.js backend').choices(['wasm', 'cpu']).default('wasm'),
    )
    .option(
      '--no-fused',
      'train with the composed tfjs losses instead of the fused kernels (as docs/choosing-a-loss.md was measured)',
    )
    .option('--out <dir>', 'folder for the HTML report and results.json', 'losskit-report')
    .option('--no-report', 'do not write the report folder')
    .option('--train <n>', 'training images per level (lesions)', intIn(LIMITS.train), DEFAULTS.train)
    .option('--test <n>', 'test images per level (lesions)', intIn(LIMITS.test), DEFAULTS.test)
    .option('--batch-size <n>', 'batch size', intIn(LIMITS.batchSize), DEFAULTS.batchSize)
    .option('--lr <x>', 'Adam learning rate', positiveUpTo(LIMITS.lr[1]), DEFAULTS.learningRate)
    .option(
      '--filters <n>',
      `filters in the first U-Net block (doubling per level), in [${LIMITS.filters.join(', ')}]`,
      intIn(LIMITS.filters),
      DEFAULTS.filters,
    )
    .option(
      '--jobs <n>',
      'runs trained at the same time, in worker threads (wasm is single-threaded in Node)',
      intIn(LIMITS.jobs),
      Math.min(2, availableParallelism()),
    )
    .option('--quiet', 'no progress notes on stderr')
    .option('--json', 'print every metric and the learning curves as JSON')
    .addHelpText('after', COMPARE_HELP)
    .action(async (o: CompareOptions) => {
      const { compareCommand } = await import('./commands/compare.ts');
      await compareCommand(cli, o, argv);
    });

  program
    .command('advise')
    .description('mask statistics and a ranked list of losses to try, with reasons')
    .requiredOption('--masks <path>', 'a mask file or a folder of masks')
    .option('--json', 'print statistics and recommendations as JSON')
    .addHelpText('after', ADVISE_HELP)
    .action(async (o: { masks: string; json?: boolean }) => {
      const { adviseCommand } = await import('./commands/advise.ts');
      adviseCommand(cli, o);
    });

  program
    .command('serve')
    .description('serve the interactive loss explorer on 127.0.0.1 and print its URL')
    .option('--port <n>', 'TCP port (default: 8177, or a free one if that is taken)', port)
    .option('--root <dir>', 'serve this folder instead of the packaged page')
    .action(async (o: { port?: number; root?: string }) => {
      const { serveCommand } = await import('./commands/serve.ts');
      await serveCommand(cli, o, serveUntil);
    });

  return program;
}

/**
 * Runs the CLI on `argv` (the arguments after the program name) and returns the exit code: 0 success,
 * 2 usage or input error (one line on stderr, no stack trace), 1 internal error.
 */
export async function runCli(argv: readonly string[], cli: Cli, serveUntil?: Promise<void>): Promise<number> {
  const program = buildProgram(cli, argv, serveUntil);
  if (argv.length === 0) {
    cli.err(program.helpInformation().replace(/\n$/, ''));
    return 2;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has printed its message (or the help) already.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof UsageError) {
      cli.err(`losskit: ${e.message}`);
      return 2;
    }
    cli.err(`losskit: internal error: ${firstLine(e)}`);
    if (process.env.LOSSKIT_DEBUG && e instanceof Error && e.stack) cli.err(e.stack);
    else cli.err('(set LOSSKIT_DEBUG=1 for the stack trace; please report it)');
    return 1;
  }
}
