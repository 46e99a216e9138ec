// The privacy policy and the terms of use, served by the voucher function at
// <legal_base_url>/privacidade and /termos (config.json's legal_base_url).

/**
 * The links to the public pages under base, or none when base is not an http(s) URL
 * (a missing or broken config.json key shows no dead link).
 * @param {string | undefined} base
 * @returns {{ href: string, label: string, testid: string }[]}
 */
export function legalLinks(base) {
  if (typeof base !== 'string' || !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(base.trim())) return [];
  const root = base.trim().replace(/\/+$/, '');
  return [
    { href: `${root}/privacidade`, label: 'Política de Privacidade', testid: 'privacy-link' },
    { href: `${root}/termos`, label: 'Termos de Uso', testid: 'terms-link' },
  ];
}
