/**
 * `scales-metrics/fastify`: the status pages as a Fastify plugin.
 *
 * @example
 * import Fastify from 'fastify';
 * import { fastifyStatus } from 'scales-metrics/fastify';
 * const app = Fastify();
 * await app.register(fastifyStatus({ serverName: 'web-1' }));   // serves /status/...
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createStatusHandler } from './create.js';
import type { StatusHandler, StatusHandlerOptions } from './handler.js';

/** A Fastify plugin; the handler is closed with the Fastify instance. */
export type FastifyStatusPlugin = ((fastify: FastifyInstance) => Promise<void>) & { readonly handler: StatusHandler };

/**
 * A Fastify plugin that adds the routes `<prefix>*` (default `/status/*`) and, with
 * `metricsPath`, the Prometheus route. Give the prefix in these options, not in Fastify's
 * `register` options: the plugin registers at the root (it skips encapsulation).
 */
export function fastifyStatus(options: StatusHandlerOptions = {}): FastifyStatusPlugin {
  const handler = createStatusHandler(options);
  const route = async (request: FastifyRequest, reply: FastifyReply) => {
    const r = await handler.handle({
      method: request.method.toUpperCase(),
      url: request.raw.url ?? request.url,
      header: (name) => {
        const v = request.headers[name];
        return Array.isArray(v) ? v.join(', ') : v;
      },
    });
    if (!r) return reply.callNotFound();
    return reply.code(r.status).headers(r.headers).send(r.body);
  };
  const plugin = (async (fastify: FastifyInstance) => {
    fastify.addHook('onClose', async () => handler.close());
    fastify.all(handler.prefix.slice(0, -1) || '/', route);
    fastify.all(handler.prefix + '*', route);
    if (options.metricsPath) fastify.all(options.metricsPath, route);
  }) as FastifyStatusPlugin;
  Object.defineProperty(plugin, 'handler', { value: handler });
  // Fastify's documented switch (what fastify-plugin sets): register in the parent context.
  Object.defineProperty(plugin, Symbol.for('skip-override'), { value: true });
  return plugin;
}
