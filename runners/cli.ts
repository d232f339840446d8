/**
 * fffbench command line: parses arguments and dispatches to one module per verb.
 * Exit status: 0 done, 1 an internal error (or --strict / compare regressions), 2 a user error.
 */
import { UserError } from '../src/errors.ts';
import { TOOL_VERSION } from '../src/results/build.ts';
import { AB_HELP, commandAb } from './commands/ab.ts';
import { COMPARE_HELP, commandCompare, commandMerge, MERGE_HELP } from './commands/compare.ts';
import { commandExport, EXPORT_HELP } from './commands/export.ts';
import { commandHistory, HISTORY_HELP } from './commands/history.ts';
import { REPORT_HELP } from './commands/report-help.ts';
import { commandList, LIST_HELP } from './commands/list.ts';
import { parseVerbArgs } from './commands/options.ts';
import { commandRun, RUN_HELP } from './commands/run.ts';

const MAIN_HELP = `fffbench ${TOOL_VERSION}: measures Fast Feedforward (FFF) layers against dense feedforward layers

Usage: fffbench <command> [options]

Commands:
  run [SUITE]   run a suite (a path, or a shipped suite name; default: claims, the configurations the verdicts need) and write results
  list          shipped suites, and which runtimes and backends are available here
  compare       compare a run with earlier runs of its machine: regressions beyond run-to-run noise, confirmed by a re-run (exit 1)
  ab            two revisions measured interleaved on this machine in one job: regressions of one change (exit 1);
                about twice a suite's time
  merge         combine shards of one suite run into one results file
  history       list the runs filed in a history directory, per machine
  export FILE…  results files as one flat table, one row per case: --format csv, jsonl or md
  report FILE…  write an HTML page, PNG charts and summary.md (claim verdicts) for results files
                (report --history DIR: the trend over the runs filed in a history directory)

Run "fffbench <command> --help" for a command's options.`;

interface Verb {
  help: string;
  run(args: string[]): Promise<number>;
}

const COMMANDS: Record<string, Verb> = {
  report: { help: REPORT_HELP, run: (args) => import('./commands/report.ts').then((m) => m.commandReport(args)) },
  run: {
    help: RUN_HELP,
    async run(args) {
      const { values, positionals } = parseVerbArgs(
        args,
        {
          runtimes: { type: 'string' },
          backends: { type: 'string' },
          out: { type: 'string' },
          shard: { type: 'string' },
          resume: { type: 'string' },
          'case-timeout': { type: 'string' },
          strict: { type: 'boolean' },
          history: { type: 'string' },
          report: { type: 'boolean' },
        },
        RUN_HELP,
      );
      if (positionals.length > 1) throw new UserError(`run takes one suite, got ${positionals.length}: ${positionals.join(' ')}`);
      const str = (k: string) => values[k] as string | undefined;
      return commandRun({
        suite: positionals[0],
        runtimes: str('runtimes'),
        backends: str('backends'),
        out: str('out'),
        shard: str('shard'),
        resume: str('resume'),
        caseTimeout: str('case-timeout'),
        strict: values.strict as boolean | undefined,
        history: str('history'),
        report: values.report as boolean | undefined,
      });
    },
  },
  compare: {
    help: COMPARE_HELP,
    async run(args) {
      const { values, positionals } = parseVerbArgs(
        args,
        {
          threshold: { type: 'string' },
          alpha: { type: 'string' },
          format: { type: 'string' },
          last: { type: 'string' },
          history: { type: 'string' },
          'screen-alpha': { type: 'string' },
          'no-confirm': { type: 'boolean' },
          'allow-machines': { type: 'boolean' },
        },
        COMPARE_HELP,
      );
      const str = (k: string) => values[k] as string | undefined;
      return commandCompare({
        files: positionals,
        threshold: str('threshold'),
        alpha: str('alpha'),
        format: str('format'),
        last: str('last'),
        history: str('history'),
        screenAlpha: str('screen-alpha'),
        noConfirm: Boolean(values['no-confirm']),
        allowMachines: Boolean(values['allow-machines']),
      });
    },
  },
  ab: {
    help: AB_HELP,
    async run(args) {
      const { values, positionals } = parseVerbArgs(
        args,
        {
          base: { type: 'string' },
          head: { type: 'string' },
          'base-history': { type: 'string' },
          runtimes: { type: 'string' },
          backends: { type: 'string' },
          rounds: { type: 'string' },
          interleave: { type: 'string' },
          threshold: { type: 'string' },
          alpha: { type: 'string' },
          format: { type: 'string' },
          out: { type: 'string' },
          'case-timeout': { type: 'string' },
          'no-confirm': { type: 'boolean' },
        },
        AB_HELP,
      );
      if (positionals.length > 1) throw new UserError(`ab takes one suite, got ${positionals.length}: ${positionals.join(' ')}`);
      const str = (k: string) => values[k] as string | undefined;
      return commandAb({
        base: str('base'),
        head: str('head'),
        baseHistory: str('base-history'),
        suite: positionals[0],
        runtimes: str('runtimes'),
        backends: str('backends'),
        rounds: str('rounds'),
        interleave: str('interleave'),
        threshold: str('threshold'),
        alpha: str('alpha'),
        format: str('format'),
        out: str('out'),
        caseTimeout: str('case-timeout'),
        confirm: !values['no-confirm'],
      });
    },
  },
  merge: {
    help: MERGE_HELP,
    async run(args) {
      const { values, positionals } = parseVerbArgs(args, { out: { type: 'string', short: 'o' }, 'allow-machines': { type: 'boolean' } }, MERGE_HELP);
      return commandMerge(positionals, values.out as string | undefined, Boolean(values['allow-machines']));
    },
  },
  export: {
    help: EXPORT_HELP,
    async run(args) {
      const { values, positionals } = parseVerbArgs(args, { format: { type: 'string' }, out: { type: 'string', short: 'o' } }, EXPORT_HELP);
      return commandExport({ files: positionals, format: values.format as string | undefined, out: values.out as string | undefined });
    },
  },
  history: {
    help: HISTORY_HELP,
    async run(args) {
      const { values, positionals } = parseVerbArgs(
        args,
        { add: { type: 'string', multiple: true }, prune: { type: 'boolean' }, keep: { type: 'string' } },
        HISTORY_HELP,
      );
      if (positionals.length > 1) throw new UserError(`history takes one directory (given: ${positionals.join(' ')})`);
      return commandHistory({
        dir: positionals[0],
        add: (values.add as string[] | undefined) ?? [],
        prune: Boolean(values.prune),
        keep: values.keep as string | undefined,
      });
    },
  },
  list: {
    help: LIST_HELP,
    async run(args) {
      const { positionals } = parseVerbArgs(args, {}, LIST_HELP);
      if (positionals.length > 0) throw new UserError(`list takes no arguments (given: ${positionals.join(' ')})`);
      return commandList();
    },
  },
};

export async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    console.log(MAIN_HELP);
    return verb ? 0 : 2;
  }
  const command = COMMANDS[verb];
  if (!command) {
    console.error(`fffbench: unknown command "${verb}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UserError) {
      console.error(`fffbench ${verb}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));
