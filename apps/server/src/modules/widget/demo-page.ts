import { createHash } from 'node:crypto';

/**
 * GET /demo: a made-up company's website with the demo inbox's widget on it, to see the widget as a
 * customer would. All styling is one inline <style> allowed by its hash, so the page needs no
 * 'unsafe-inline' and the loader runs under the same strict policy a careful customer site would have.
 */

const styles = `
:root { --ink:#1c1917; --muted:#57534e; --line:#e7e5e4; --cream:#faf7f2; --accent:#b45309; --deep:#292524; }
* { box-sizing: border-box; }
body { margin:0; font: 16px/1.6 ui-sans-serif, -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; -webkit-font-smoothing: antialiased; }
a { color: inherit; }
.wrap { max-width: 1120px; margin: 0 auto; padding: 0 24px; }
.ribbon { background: var(--deep); color: #e7e5e4; font-size: 13px; text-align: center; padding: 9px 16px; }
.ribbon strong { color: #fbbf24; font-weight: 600; }
header.top { border-bottom: 1px solid var(--line); background: rgba(255,255,255,.92); position: sticky; top: 0; backdrop-filter: blur(8px); z-index: 5; }
header.top .wrap { display: flex; align-items: center; justify-content: space-between; height: 68px; }
.logo { display: flex; align-items: center; gap: 10px; font-weight: 800; letter-spacing: -.02em; font-size: 19px; text-decoration: none; }
.logo span.mark { width: 30px; height: 30px; border-radius: 9px; background: linear-gradient(135deg, #d97706, #78350f); display: inline-block; box-shadow: inset 0 -6px 0 rgba(0,0,0,.15); }
nav a { margin-left: 28px; text-decoration: none; color: var(--muted); font-size: 15px; font-weight: 500; }
nav a:hover { color: var(--ink); }
.btn { display: inline-flex; align-items: center; gap: 8px; padding: 13px 22px; border-radius: 999px; font-weight: 600; font-size: 15px; text-decoration: none; border: 1px solid transparent; }
.btn.primary { background: var(--ink); color: #fff; }
.btn.primary:hover { background: #44403c; }
.btn.ghost { border-color: var(--line); background: #fff; }
.hero { background: radial-gradient(1200px 500px at 80% -10%, #fde68a55, transparent), var(--cream); border-bottom: 1px solid var(--line); }
.hero .wrap { display: grid; grid-template-columns: 1.1fr .9fr; gap: 48px; align-items: center; padding-top: 72px; padding-bottom: 80px; }
.eyebrow { text-transform: uppercase; letter-spacing: .12em; font-size: 12px; font-weight: 700; color: var(--accent); }
h1 { font-size: 54px; line-height: 1.05; letter-spacing: -.035em; margin: 14px 0 18px; }
.lead { font-size: 19px; color: var(--muted); max-width: 520px; margin: 0 0 30px; }
.actions { display: flex; gap: 12px; flex-wrap: wrap; }
.proof { display: flex; gap: 28px; margin-top: 36px; color: var(--muted); font-size: 14px; }
.proof b { display: block; color: var(--ink); font-size: 22px; letter-spacing: -.02em; }
.bag-stage { position: relative; height: 380px; }
.bag { position: absolute; width: 190px; height: 270px; border-radius: 22px 22px 16px 16px; box-shadow: 0 30px 60px rgba(41,37,36,.25); display: flex; flex-direction: column; justify-content: flex-end; padding: 22px; color: #fff; }
.bag::before { content: ""; position: absolute; top: 0; left: 0; right: 0; height: 38px; border-radius: 22px 22px 0 0; background: rgba(0,0,0,.18); }
.bag small { opacity: .8; font-size: 12px; letter-spacing: .08em; text-transform: uppercase; }
.bag strong { font-size: 22px; line-height: 1.15; letter-spacing: -.02em; }
.bag.one { left: 8%; top: 40px; background: linear-gradient(160deg, #b45309, #78350f); transform: rotate(-6deg); }
.bag.two { left: 38%; top: 0; background: linear-gradient(160deg, #0f766e, #134e4a); z-index: 2; }
.bag.three { left: 66%; top: 60px; background: linear-gradient(160deg, #9f1239, #4c0519); transform: rotate(7deg); }
section.block { padding: 84px 0; }
section.block h2 { font-size: 36px; letter-spacing: -.03em; margin: 0 0 10px; }
section.block p.sub { color: var(--muted); margin: 0 0 40px; font-size: 17px; }
.grid { display: grid; grid-template-columns: repeat(3, 1fr); gap: 22px; }
.product { border: 1px solid var(--line); border-radius: 18px; overflow: hidden; background: #fff; transition: transform .2s, box-shadow .2s; }
.product:hover { transform: translateY(-3px); box-shadow: 0 18px 40px rgba(41,37,36,.1); }
.product .art { height: 170px; display: flex; align-items: center; justify-content: center; }
.product .art i { width: 74px; height: 104px; border-radius: 12px 12px 8px 8px; box-shadow: 0 14px 28px rgba(0,0,0,.22); display: block; }
.product .body { padding: 20px 22px 22px; }
.product h3 { margin: 0 0 4px; font-size: 18px; letter-spacing: -.01em; }
.product .notes { color: var(--muted); font-size: 14px; margin: 0 0 16px; }
.product .row { display: flex; justify-content: space-between; align-items: center; font-weight: 700; }
.product .row a { font-size: 14px; font-weight: 600; text-decoration: none; padding: 8px 14px; border-radius: 999px; background: var(--cream); border: 1px solid var(--line); }
.a1 { background: #fef3c7; } .a1 i { background: linear-gradient(160deg, #d97706, #92400e); }
.a2 { background: #ccfbf1; } .a2 i { background: linear-gradient(160deg, #14b8a6, #115e59); }
.a3 { background: #ffe4e6; } .a3 i { background: linear-gradient(160deg, #e11d48, #881337); }
.features { background: var(--cream); border-top: 1px solid var(--line); border-bottom: 1px solid var(--line); }
.feature { padding: 26px; border-radius: 16px; background: #fff; border: 1px solid var(--line); }
.feature .icon { width: 40px; height: 40px; border-radius: 12px; background: #fde68a; display: flex; align-items: center; justify-content: center; margin-bottom: 14px; color: #92400e; }
.feature h3 { margin: 0 0 6px; font-size: 17px; }
.feature p { margin: 0; color: var(--muted); font-size: 15px; }
.quote { max-width: 760px; margin: 0 auto; text-align: center; }
.quote blockquote { font-size: 26px; line-height: 1.4; letter-spacing: -.02em; margin: 0 0 18px; }
.quote cite { color: var(--muted); font-style: normal; font-size: 15px; }
footer { border-top: 1px solid var(--line); padding: 36px 0 48px; color: var(--muted); font-size: 14px; }
footer .wrap { display: flex; justify-content: space-between; gap: 20px; flex-wrap: wrap; }
.empty { max-width: 560px; margin: 12vh auto; padding: 0 24px; }
.empty h1 { font-size: 34px; }
.empty code { background: #f5f5f4; border: 1px solid var(--line); border-radius: 8px; padding: 3px 8px; font-size: 14px; }
@media (max-width: 860px) {
  .hero .wrap { grid-template-columns: 1fr; padding-top: 48px; }
  .bag-stage { height: 320px; }
  h1 { font-size: 40px; }
  .grid { grid-template-columns: 1fr; }
  nav { display: none; }
}
`;

const styleHash = createHash('sha256').update(styles).digest('base64');

/** The demo page's policy: its own scripts only, this exact stylesheet, frames from Parley itself. */
export function demoPageCsp(publicUrl: string): string {
  const url = new URL(publicUrl);
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self' 'sha256-${styleHash}'`,
    "img-src 'self' data:",
    `connect-src 'self' ${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}`,
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const escapeAttribute = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const head = (title: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${styles}</style>
</head>`;

const product = (art: string, name: string, notes: string, price: string) => `
<article class="product"><div class="art ${art}"><i></i></div><div class="body">
<h3>${name}</h3><p class="notes">${notes}</p>
<div class="row"><span>${price}</span><a href="#shop">Add to bag</a></div></div></article>`;

const feature = (title: string, text: string, path: string) => `
<div class="feature"><div class="icon"><svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="${path}"/></svg></div>
<h3>${title}</h3><p>${text}</p></div>`;

export function demoPage(inboxId: string): string {
  return `${head('Brightwater Coffee Co. — Fresh-roasted coffee, delivered')}
<body>
<div class="ribbon">This is a <strong>Parley demo</strong> site. Open the chat bubble in the corner and write to the team; agents answer from the Parley dashboard.</div>
<header class="top"><div class="wrap">
  <a class="logo" href="/demo"><span class="mark"></span>Brightwater</a>
  <nav aria-label="Main"><a href="#shop">Shop</a><a href="#subscribe">Subscriptions</a><a href="#story">Our story</a><a href="#help">Help</a></nav>
</div></header>
<main>
<section class="hero"><div class="wrap">
  <div>
    <div class="eyebrow">Small-batch roasters since 2012</div>
    <h1>Coffee roasted on Monday, in your cup by Thursday.</h1>
    <p class="lead">Single-origin beans from farms we visit every year, roasted to order and shipped the same week. Questions about grind, brewing or your order? We are right here in the chat.</p>
    <div class="actions"><a class="btn primary" href="#shop">Shop the roasts</a><a class="btn ghost" href="#subscribe">Start a subscription</a></div>
    <div class="proof"><div><b>4.9/5</b>12,400 reviews</div><div><b>72 h</b>roast to door</div><div><b>31</b>partner farms</div></div>
  </div>
  <div class="bag-stage" aria-hidden="true">
    <div class="bag one"><small>Colombia</small><strong>Huila Honey</strong></div>
    <div class="bag two"><small>Ethiopia</small><strong>Yirgacheffe Bloom</strong></div>
    <div class="bag three"><small>Guatemala</small><strong>Antigua Dusk</strong></div>
  </div>
</div></section>
<section class="block" id="shop"><div class="wrap">
  <h2>This week’s roasts</h2><p class="sub">Whole bean or ground for your brewer. Free shipping over $40.</p>
  <div class="grid">
    ${product('a1', 'Huila Honey', 'Caramel, red apple, cocoa nib', '$18')}
    ${product('a2', 'Yirgacheffe Bloom', 'Jasmine, bergamot, peach', '$21')}
    ${product('a3', 'Antigua Dusk', 'Dark chocolate, plum, spice', '$19')}
  </div>
</div></section>
<section class="block features" id="subscribe"><div class="wrap">
  <h2>Subscriptions that fit your week</h2><p class="sub">Pause, skip or swap any time — or just ask us in the chat.</p>
  <div class="grid">
    ${feature('Roasted to order', 'Every bag is roasted after you order it, never before.', 'M12 2c1 3-2 4-2 7a2 2 0 0 0 4 0c0-1 .5-2 1-2 1 2 3 3.5 3 7a6 6 0 0 1-12 0c0-5 6-7 6-12z')}
    ${feature('Flexible deliveries', 'Every one, two or four weeks. Change it in two clicks.', 'M3 6h12v9H3zm12 3h3l3 3v3h-6zM7 19a2 2 0 1 1 0-4 2 2 0 0 1 0 4zm10 0a2 2 0 1 1 0-4 2 2 0 0 1 0 4z')}
    ${feature('Real people to talk to', 'Baristas answer the chat, not scripts. Usually within minutes.', 'M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6A.5.5 0 0 1 5 19.2V16a1 1 0 0 1-1-1z')}
  </div>
</div></section>
<section class="block" id="story"><div class="wrap quote">
  <blockquote>“I asked the chat which roast suits a moka pot and had an answer before the kettle boiled. Now I never run out.”</blockquote>
  <cite>— Marta R., subscriber since 2021</cite>
</div></section>
</main>
<footer id="help"><div class="wrap"><span>© Brightwater Coffee Co. — a fictional company for the Parley demo.</span><span>Help · Shipping · Returns · Wholesale</span></div></footer>
<script src="/widget.js" data-inbox="${escapeAttribute(inboxId)}" async></script>
</body>
</html>
`;
}

export const noDemoPage = `${head('Parley demo')}
<body>
<div class="empty">
  <h1>No demo inbox yet</h1>
  <p>This page shows the chat widget of the demo account, and there is none in this database.</p>
  <p>Create it with <code>npm run parley -- seed-demo</code>, then reload this page.</p>
</div>
</body>
</html>
`;
