// How every command line in this repository reads its arguments: it declares its options once and gets their
// values back (Node's util.parseArgs, strict). An unknown option, an option without its value or a wrong number of
// positional arguments prints what was wrong and the usage, and exits with status 2; --help prints the usage.
import { parseArgs } from 'node:util';

/**
 * Reads `args` (default: the process's arguments) against `options`, a map from option name to 'string'
 * (`--name VALUE`) or 'boolean' (`--name`). Returns the values by option name (undefined when not given) and the
 * positional arguments as `_`. `positionals` is how many positional arguments are allowed: a number (exactly), or
 * [min, max].
 */
export function readCliArgs(options, { usage = '', positionals = 0, args = process.argv.slice(2) } = {}) {
  const fail = (message) => {
    console.error(`${message}${usage ? `\n${usage}` : ''}`);
    process.exit(2);
  };
  if (args.includes('--help') || args.includes('-h')) {
    console.log(
      usage ||
        `options: ${Object.keys(options)
          .map((k) => `--${k}`)
          .join(' ')}`,
    );
    process.exit(0);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: Object.fromEntries(Object.entries(options).map(([name, type]) => [name, { type }])),
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    fail(e.message);
  }
  const [min, max] = Array.isArray(positionals) ? positionals : [positionals, positionals];
  const count = parsed.positionals.length;
  if (count < min || count > max) {
    fail(
      max === 0
        ? `unexpected argument ${JSON.stringify(parsed.positionals[0])}`
        : `expected ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, got ${count}`,
    );
  }
  return { ...parsed.values, _: parsed.positionals };
}
