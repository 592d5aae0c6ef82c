import { describe, expect, it } from 'vitest';
import { roleAtLeast, roleBelow, roles, weakerRole } from './roles.js';

describe('roles', () => {
  it('orders owner above everyone and stakeholder below everyone', () => {
    for (const role of roles) {
      expect(roleAtLeast('owner', role)).toBe(true);
      expect(roleAtLeast(role, 'stakeholder')).toBe(true);
    }
    expect(roleAtLeast('responder', 'manager')).toBe(false);
    expect(roleAtLeast('manager', 'responder')).toBe(true);
  });

  it('gives an API key the weaker of its own role and its owner role', () => {
    expect(weakerRole('admin', 'observer')).toBe('observer');
    expect(weakerRole('responder', 'owner')).toBe('responder');
  });

  it('names the role just below', () => {
    expect(roleBelow('owner')).toBe('admin');
    expect(roleBelow('observer')).toBe('stakeholder');
    expect(roleBelow('stakeholder')).toBeNull();
  });
});
