/** Light or dark: the person's choice if they made one, else the system's. */
export type Theme = 'light' | 'dark';
const KEY = 'vigil-theme';

export function currentTheme(): Theme {
  const saved = localStorage.getItem(KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme(theme: Theme, save = false) {
  document.documentElement.dataset.theme = theme;
  if (save) localStorage.setItem(KEY, theme);
}
