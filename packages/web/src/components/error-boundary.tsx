import { Component, type ReactNode } from 'react';
import { ErrorBox } from '../ui.js';

/** A screen that throws shows what went wrong instead of a blank page; navigation still works. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: unknown }> {
  override state = { error: null as unknown };
  static getDerivedStateFromError(error: unknown) {
    return { error };
  }
  override render() {
    return this.state.error ? <ErrorBox error={this.state.error} /> : this.props.children;
  }
}
