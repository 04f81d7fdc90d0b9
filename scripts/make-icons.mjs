// Renders the app's raster icons from SVG with sharp: the installer/app icon
// (build/icon.png, 512 px, which electron-builder turns into .ico/.icns) and one tray icon per
// tray status (build/tray/tray-<status>.png at 16 px and @2x at 32 px). Each status has its own
// shape, not only its own colour: a dot (running), two bars (paused), a cross (detector
// unavailable), a bell-like badge (alerts waiting). Run: node scripts/make-icons.mjs
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

const ROOT = path.resolve(import.meta.dirname, '..');
const RING = '<circle cx="16" cy="16" r="13.5" fill="#161b22" stroke="#4493f8" stroke-width="3"/>';

/** The centre mark of each tray status (on the 32-unit canvas). */
const MARKS = {
  running: '<circle cx="16" cy="16" r="6" fill="#3fb950"/>',
  paused:
    '<rect x="10.5" y="9.5" width="4" height="13" rx="1" fill="#d29922"/>' +
    '<rect x="17.5" y="9.5" width="4" height="13" rx="1" fill="#d29922"/>',
  unavailable:
    '<path d="M10.5 10.5 L21.5 21.5 M21.5 10.5 L10.5 21.5" stroke="#f85149" stroke-width="4" stroke-linecap="round"/>',
  alerts:
    '<circle cx="16" cy="16" r="6" fill="#3fb950"/>' +
    '<circle cx="24.5" cy="7.5" r="7" fill="#f0883e" stroke="#161b22" stroke-width="1.5"/>' +
    '<rect x="23.5" y="3" width="2" height="6" rx="1" fill="#161b22"/>' +
    '<circle cx="24.5" cy="11" r="1.2" fill="#161b22"/>',
};

const svg = (mark) =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">${RING}${mark}</svg>`;

async function render(source, size, file) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await sharp(Buffer.from(source), { density: (72 * size) / 32 })
    .resize(size, size)
    .png({ compressionLevel: 9 })
    .toFile(file);
  console.log(path.relative(ROOT, file));
}

await render(svg(MARKS.running), 512, path.join(ROOT, 'build', 'icon.png'));
for (const [status, mark] of Object.entries(MARKS)) {
  await render(svg(mark), 16, path.join(ROOT, 'build', 'tray', `tray-${status}.png`));
  await render(svg(mark), 32, path.join(ROOT, 'build', 'tray', `tray-${status}@2x.png`));
}
