// The node:http hello world a Node user runs under PM2 in cluster mode (plain CommonJS, as PM2
// starts it in each cluster worker). Same bytes as every other hello target. PORT from the env.
const { createServer } = require('node:http');

const BODY = Buffer.from('Hello, World!');
createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': BODY.length });
  res.end(BODY);
}).listen(Number(process.env.PORT), '127.0.0.1', 1024);
