/**
 * The web app arrives with the web UI issue (React + Vite, served by the server at `/`).
 * This workspace exists now so the layout of ARCHITECTURE.md §2 is in place from the start.
 */
export const webAppAvailable = false;
