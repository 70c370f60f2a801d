/**
 * Personal data is masked in chat output unless the caller may see it: an id keeps its first two characters,
 * an email its first letter and domain.
 *
 * @example
 * maskId('12347'); // '12***'
 * maskEmail('jane.doe@example.com'); // 'j***@example.com'
 */
export function maskId(id: string): string {
  if (id.length <= 2) return '*'.repeat(id.length);
  return `${id.slice(0, 2)}${'*'.repeat(Math.min(6, id.length - 2))}`;
}

export function maskEmail(email: string): string {
  const at = email.indexOf('@');
  if (at <= 0) return maskId(email);
  return `${email[0]}***${email.slice(at)}`;
}
