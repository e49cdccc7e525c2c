/**
 * Mail domains where anyone can have a personal address: an address there says nothing of the
 * company its holder works for. Kept short on purpose, and by hand: the large free-mail lists on
 * npm (free-email-domains, email-providers, freemail) are made for signup forms, where refusing
 * a company's address costs little, and hold company domains as well (facebook.com,
 * alibaba.com, an airline's, a university's); one of those here would stop a rep from finding
 * an account by a contact's address at that company. (free-email-domains also downloads its
 * list when installed, which fails where only the npm registry is reachable.)
 *
 * Listed: a provider's personal-mail domains only, not (as far as known) one its own staff
 * write from for work: gmail.com, not google.com; outlook.com and hotmail.com, not
 * microsoft.com; zohomail.com, not zoho.com; hey.com and mailbox.org are left out for that
 * reason. Such a domain typed as a domain is still looked up (`gmail.com` finds the account
 * that has it): only an e-mail address there is not (see personalMailDomain in normalize.ts).
 */
export const PERSONAL_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  // Google
  'gmail.com', 'googlemail.com',
  // Microsoft
  'outlook.com', 'hotmail.com', 'live.com', 'msn.com',
  'hotmail.co.uk', 'hotmail.fr', 'hotmail.de', 'hotmail.it', 'hotmail.es', 'live.co.uk', 'live.fr', 'live.de', 'live.nl', 'outlook.fr', 'outlook.de',
  // Yahoo and AOL
  'yahoo.com', 'ymail.com', 'rocketmail.com', 'yahoo.co.uk', 'yahoo.fr', 'yahoo.de', 'yahoo.it', 'yahoo.es', 'yahoo.ca',
  'yahoo.com.au', 'yahoo.com.br', 'yahoo.co.in', 'yahoo.co.jp', 'aol.com', 'aim.com',
  // Apple
  'icloud.com', 'me.com', 'mac.com',
  // Proton, Tuta, Fastmail, mail.com, Zoho Mail
  'proton.me', 'protonmail.com', 'protonmail.ch', 'pm.me', 'tutanota.com', 'tutanota.de', 'tuta.io', 'tutamail.com',
  'fastmail.com', 'fastmail.fm', 'mail.com', 'zohomail.com',
  // GMX and WEB.DE
  'gmx.com', 'gmx.net', 'gmx.de', 'gmx.at', 'gmx.ch', 'web.de',
  // Yandex, Mail.ru, Tencent, NetEase, Naver
  'yandex.com', 'yandex.ru', 'ya.ru', 'mail.ru', 'qq.com', 'foxmail.com', '163.com', '126.com', 'naver.com',
  // Internet providers' mailboxes
  'comcast.net', 'att.net', 'sbcglobal.net', 'verizon.net', 'btinternet.com', 't-online.de', 'orange.fr', 'wanadoo.fr',
  'laposte.net', 'libero.it',
]);
