import { startServer } from '../composition-root.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { jsonLogger } from '../logging/json-logger.js';
import type { CliCommand } from './commands.js';
import { environmentHelp } from './environment-help.js';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Run the MDM server (admin and device listeners).',
  help: () =>
    [
      'Usage: mdm serve',
      '',
      'Starts the admin listener (APIs, /healthz, /readyz, /metrics) and the device listener',
      '(HTTPS: check-in, enrollment, SCEP). On first start it creates the data directory, the CA,',
      'the device TLS certificate and the secrets key. Configuration comes from the environment.',
      'SIGTERM or SIGINT shuts down gracefully; a second signal exits at once.',
      '',
      environmentHelp(),
    ].join('\n'),

  async run(args) {
    if (args.length > 0) {
      process.stderr.write(`mdm serve: unexpected argument ${JSON.stringify(args[0])} (configuration comes from the environment; see --help)\n`);
      return 2;
    }
    let config;
    try {
      config = loadConfig();
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(`mdm: configuration error: ${error.message}\n`);
        return 2;
      }
      throw error;
    }
    const logger = jsonLogger({ level: config.logLevel });
    // Signals are handled from the first moment: a SIGTERM during start-up waits for the start to
    // finish (or fail) and then shuts down cleanly.
    let signals = 0;
    let stopRequested!: (signal: NodeJS.Signals) => void;
    const stopSignal = new Promise<NodeJS.Signals>((resolve) => (stopRequested = resolve));
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        logger.warn('second signal: exiting now', { signal });
        process.exit(1);
      }
      logger.info('signal received', { signal });
      stopRequested(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);

    let server;
    try {
      server = await startServer(config, logger);
    } catch (error) {
      logger.error('start-up failed', { error });
      process.stderr.write(`mdm: start-up failed: ${(error as Error).message}\n`);
      // Whatever start-up had opened before it failed (timers, a store connection) must not keep
      // a process that will never serve alive.
      process.stderr.write('', () => process.exit(1));
      return 1;
    }
    await stopSignal;
    try {
      await server.stop();
      return 0;
    } catch (error) {
      logger.error('shutdown failed', { error });
      return 1;
    }
  },
};
