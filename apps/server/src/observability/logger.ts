import pino, { type Logger } from 'pino';

export function createLogger(level: string, nodeName: string): Logger {
  return pino({
    level,
    base: { node: nodeName },
    redact: ['req.headers.cookie', 'req.headers.authorization'],
  });
}
