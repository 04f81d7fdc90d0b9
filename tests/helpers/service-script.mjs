// A stand-in for a local server the app manages (e.g. llama-server), for supervisor tests.
// Serves GET /health on PORT (200, its pid) and takes orders:
//   POST /crash  exits 1        POST /exit?code=N  exits N
//   POST /hang   stops answering (a busy loop; SIGTERM still ends it unless told to ignore it)
// Environment: PORT; PID_FILE (each start appends its pid); IGNORE_SIGTERM=1;
// FAIL_FILE (exits 2 at once while that file exists); START_DELAY_MS (waits before listening);
// SAY (printed); ORDER_FILE with NAME (appends "start NAME" when listening, "stop NAME" on
// SIGTERM).
import fs from 'node:fs';
import http from 'node:http';

if (process.env.PID_FILE) fs.appendFileSync(process.env.PID_FILE, `${process.pid}\n`);
if (process.env.SAY) process.stdout.write(`${process.env.SAY}\n`);
if (process.env.FAIL_FILE && fs.existsSync(process.env.FAIL_FILE)) {
  process.stderr.write('failing at start as told\n');
  process.exit(2);
}
const order = (what) =>
  process.env.ORDER_FILE &&
  fs.appendFileSync(process.env.ORDER_FILE, `${what} ${process.env.NAME}\n`);
process.on('SIGTERM', () => {
  if (process.env.IGNORE_SIGTERM === '1') return void process.stdout.write('ignoring SIGTERM\n');
  order('stop');
  process.exit(0);
});

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/health') return res.end(JSON.stringify({ pid: process.pid }));
  res.end('ok', () => {
    if (url.pathname === '/crash') process.exit(1);
    if (url.pathname === '/exit') process.exit(Number(url.searchParams.get('code') ?? 3));
    if (url.pathname === '/hang') for (;;);
  });
});
setTimeout(
  () => server.listen(Number(process.env.PORT), '127.0.0.1', () => order('start')),
  Number(process.env.START_DELAY_MS ?? 0),
);
