/** Small server-rendered pages (setup link, action-link confirmations): readable without JavaScript. */
export const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

export const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Vigil</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1b1f24}
label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.5rem;font:inherit;box-sizing:border-box}
button{margin-top:1.2rem;padding:.6rem 1.2rem;font:inherit}code{background:#f0f2f4;padding:.2rem .4rem;word-break:break-all}
@media (prefers-color-scheme:dark){body{background:#111418;color:#e6e8ea}code{background:#22272e}}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
