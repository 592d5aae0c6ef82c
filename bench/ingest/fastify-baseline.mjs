// The HTTP ceiling for the ingest benchmark: a bare Fastify 5 server with one POST route that parses
// the JSON body and does nothing with it. Started by run.mjs as its own (pinned) process.
//   node bench/ingest/fastify-baseline.mjs --port 3000
import Fastify from 'fastify';

const flag = process.argv.indexOf('--port');
const port = flag >= 0 ? Number(process.argv[flag + 1]) : 3000;

// The same body limit as Vigil's (512 KB), so a 100-alert body fits in both.
const app = Fastify({ logger: false, bodyLimit: 512 * 1024 });
app.get('/', async () => ({ hello: 'world' }));
app.post('/*', async (request, reply) => {
  // Fastify has parsed request.body with its default JSON parser; touch it so the work is not skipped.
  if (request.body === undefined) return reply.code(400).send({ status: 'invalid event' });
  return reply.code(202).send({ status: 'success' });
});

const stop = () => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`fastify baseline listening on 127.0.0.1:${port}\n`);
