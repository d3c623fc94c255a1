//! Japanese explanations for the text trace (`tls12-sim simulate --lang ja`).
//!
//! One table, [`TABLE`], pairs each English explanation the program can print with its
//! Japanese. The English is written once, where the code does the work (`client.rs`,
//! `server.rs`, ...); the Japanese is looked up here when the trace is rendered, so the two
//! cannot be mixed up in the code, and a teacher can change a word without reading Rust.
//!
//! What stays as the RFCs write it, in both languages: field names (`client_random`,
//! `pre_master_secret`), message names (`ClientHello`), alert names (`bad_certificate`), suite
//! names, hex, and RFC section numbers. The words follow the Japanese articles the lessons come
//! from: 秘密鍵 (プライベートキー), 公開鍵 (パブリックキー), 証明書, セッション鍵 (共通鍵),
//! pre-master secret, 署名, 暗号化, 復号.
//!
//! ## How an entry matches
//!
//! An English pattern is the text as printed, with a placeholder where a part changes from run
//! to run:
//!
//! - `{}` matches a part that is copied as it is: a number, hex, a name, a certificate's
//!   subject;
//! - `{phrase}` matches an English phrase that has an entry of its own in the table, and is
//!   replaced by that entry's Japanese (an error message inside "the connection fails here:
//!   ...", for instance).
//!
//! In the Japanese, `{0}` is the first placeholder of the English, `{1}` the second, and so on:
//! Japanese often puts them in another order. The first entry that matches the whole text
//! wins; an entry without placeholders must match exactly.
//!
//! [`translate`] gives `None` when a text (or a `{phrase}` inside it) has no entry; the
//! renderer then prints the English, and `tests/lang_ja.rs` lists what is missing.

/// (English pattern, Japanese), in the order the handshake meets them.
pub const TABLE: &[(&str, &str)] = &[
    // ---- the frame of the trace: who does what (src/trace/text.rs, src/report.rs) ----
    ("client", "クライアント"),
    ("server", "サーバー"),
    ("client -> server", "クライアント -> サーバー"),
    ("server -> client", "サーバー -> クライアント"),
    (
        "tls12-sim: a TLS 1.2 handshake, client and server in one process",
        "tls12-sim: TLS 1.2 のハンドシェイク。クライアントとサーバーを1つのプロセスで動かす",
    ),
    (
        "suite {} | seed {} | clock {} | extended master secret offered",
        "暗号スイート {0} | シード {1} | 時計 {2} | extended master secret: 提案する",
    ),
    (
        "suite {} | seed {} | clock {} | extended master secret off",
        "暗号スイート {0} | シード {1} | 時計 {2} | extended master secret: 使わない",
    ),
    (
        "The server holds the demo RSA-2048 private key; the client holds only the server's \
         certificate.",
        "サーバーはデモ用の RSA-2048 の秘密鍵を持つ。クライアントが持つのはサーバーの証明書\
         (公開鍵が入っている)だけ。",
    ),
    (
        "The seed fixes every random byte of both sides (runs with the same seed share them).",
        "シードが両側の乱数をすべて決める(同じシードで実行すれば同じバイトになる)。",
    ),
    (
        "Legend: KEY = a key is used, * = a secret, . = a derived public value, [ok] = a check.",
        "凡例: KEY = 鍵を使う、* = 秘密の値、. = 導出された公開の値、[ok] = 検査。\
         用語: 秘密鍵 = プライベートキー、公開鍵 = パブリックキー、セッション鍵 = セッションキー\
         (共通鍵)。",
    ),
    ("{} reads: {}", "{0}が受け取る: {1}"),
    ("{} sends: {}", "{0}が送る: {1}"),
    (
        "[record sent, {}] {} | {}, version {}, {} bytes",
        "[レコード送信, {0}] {1} | {2}, version {3}, {4} バイト",
    ),
    (
        "[record received, {}] {} | {}, version {}, {} bytes",
        "[レコード受信, {0}] {1} | {2}, version {3}, {4} バイト",
    ),
    (
        "ChangeCipherSpec itself travels in the clear; the next record from the client is \
         protected with client_write_key",
        "ChangeCipherSpec 自体は暗号化されずに送られる。クライアントの次のレコードからは \
         client_write_key で保護される",
    ),
    (
        "ChangeCipherSpec itself travels in the clear; the next record from the server is \
         protected with server_write_key",
        "ChangeCipherSpec 自体は暗号化されずに送られる。サーバーの次のレコードからは \
         server_write_key で保護される",
    ),
    (
        "not protected: the {} has not switched to its session keys yet",
        "保護なし: {0}はまだセッション鍵に切り替えていない",
    ),
    (
        "protected with AES-GCM, seq {}: explicit nonce {} (sent), nonce = implicit IV + \
         explicit = {}",
        "AES-GCM で保護、seq {0}: 明示的ナンス {1}(レコードに載せて送る)、\
         nonce = 暗黙の IV + 明示的ナンス = {2}",
    ),
    (
        "AAD = seq + type + version + length = {}",
        "AAD(追加の認証データ)= seq + type + version + length = {0}",
    ),
    (
        "{} bytes of plaintext -> {} bytes of ciphertext + tag {}",
        "平文 {0} バイト -> 暗号文 {1} バイト + 認証タグ {2}",
    ),
    ("{}  {}  ({}, {} bytes)", "{0}  {1}  ({2}, {3} バイト)"),
    ("{} .. ({} bytes)", "{0} .. ({1} バイト)"),
    ("1 byte follows", "以下 1 バイト"),
    ("{} bytes follow", "以下 {0} バイト"),
    ("null (no compression)", "null(圧縮なし)"),
    (
        "32 bytes from the sender's RNG (client_random / server_random)",
        "送信側の乱数生成器 (RNG) から得た 32 バイト (client_random / server_random)",
    ),
    ("(empty)", "(空)"),
    (
        "* {} secret {} ({} bytes) = {}",
        "* {0}の秘密の値 {1}({2} バイト)= {3}",
    ),
    (". {} {} = {}", ". {0}の {1} = {2}"),
    ("KEY {} uses the {}: {}", "KEY {0}が{1}を使う: {2}"),
    ("[{}] {} checks {}", "[{0}] {1}が確認: {2}"),
    (
        "ALERT {} sends {} {} ({})",
        "ALERT {0}が送る: {1} {2} ({3})",
    ),
    (
        "ALERT {} receives {} {} ({})",
        "ALERT {0}が受け取る: {1} {2} ({3})",
    ),
    (
        "{} reads application data: {}",
        "{0}がアプリケーションデータを受け取る: {1}",
    ),
    (
        "{} writes application data ({} bytes): {}",
        "{0}がアプリケーションデータを送る({1} バイト): {2}",
    ),
    // ---- the key ledger ----
    (
        "Key ledger: who held which key, and what each key did",
        "鍵の台帳: 誰がどの鍵を持ち、それぞれの鍵が何をしたか",
    ),
    ("{} held by {}", "{0} 保持者: {1}"),
    (
        "sealed {} records (each opened by the peer's copy)",
        "{0} 個のレコードを暗号化した(どれも相手が持つ同じ鍵で復号した)",
    ),
    ("server public key", "サーバーの公開鍵"),
    ("server private key", "サーバーの秘密鍵"),
    ("client public key", "クライアントの公開鍵"),
    ("client private key", "クライアントの秘密鍵"),
    ("ephemeral X25519 private key", "一時的な X25519 秘密鍵"),
    ("session keys", "セッション鍵(共通鍵)"),
    (
        "anyone: it is in the server's certificate",
        "誰でも。サーバーの証明書に入っている",
    ),
    (
        "the server only; it never leaves it",
        "サーバーだけ。サーバーの外に出ることはない",
    ),
    (
        "anyone: it is in the client's certificate",
        "誰でも。クライアントの証明書に入っている",
    ),
    (
        "the client only; it never leaves it",
        "クライアントだけ。クライアントの外に出ることはない",
    ),
    (
        "its side only, for one handshake",
        "作った側だけ。1回のハンドシェイクの間だけ",
    ),
    (
        "client and server, each derived on its own side",
        "クライアントとサーバー。それぞれが自分の側で導出する",
    ),
    // ---- the outcome (src/report.rs) ----
    (
        "Result: handshake complete. The server read {}; the client read {}.",
        "結果: ハンドシェイク完了。サーバーが受け取ったデータ: {0}、クライアントが受け取ったデータ: {1}。",
    ),
    (
        "Both sides sent close_notify. The server's private key was used once, in the \
         handshake; every record after it used only the symmetric session keys.",
        "両側が close_notify を送った。サーバーの秘密鍵が使われたのはハンドシェイク中の1回だけで、\
         その後のレコードはすべて共通鍵(対称鍵)であるセッション鍵だけで保護された。",
    ),
    (
        "Result: the handshake FAILED at the {}: {}",
        "結果: ハンドシェイクは{0}側で失敗した: {1}",
    ),
    (
        "NSS key log (for Wireshark): {}",
        "NSS キーログ(Wireshark 用): {0}",
    ),
    // ---- ClientHello (src/client.rs) ----
    (
        "32 bytes from the client's RNG",
        "クライアントの乱数生成器 (RNG) から得た 32 バイト",
    ),
    (
        "the record carrying the ClientHello says TLS 1.0 (03 01), as OpenSSL, Go and browsers \
         do for old servers' sake (RFC 5246 Appendix E.1); the hello inside offers TLS 1.2",
        "ClientHello を運ぶレコードには TLS 1.0 (03 01) と書く。古いサーバーのために OpenSSL、\
         Go、ブラウザも同じようにしている (RFC 5246 Appendix E.1)。中の ClientHello が提案するのは \
         TLS 1.2",
    ),
    // ---- ServerHello and the server's choices (src/server.rs) ----
    (
        "the client offers: {}",
        "クライアントが提案する暗号スイート: {0}",
    ),
    (
        "the client asks for host \"{}\" (SNI)",
        "クライアントが接続先のホスト名 \"{0}\" を伝えている (SNI)",
    ),
    (
        "chooses {} (the client's first choice among ours); extended master secret yes",
        "{0} を選ぶ(サーバーが対応するものの中でクライアントの第一希望)。\
         extended master secret あり",
    ),
    (
        "chooses {} (the client's first choice among ours); extended master secret no",
        "{0} を選ぶ(サーバーが対応するものの中でクライアントの第一希望)。\
         extended master secret なし",
    ),
    (
        "32 bytes from the server's RNG",
        "サーバーの乱数生成器 (RNG) から得た 32 バイト",
    ),
    // ---- ServerKeyExchange, ECDHE (src/server.rs) ----
    (
        "32 random bytes from the server's RNG: an ephemeral X25519 private key",
        "サーバーの RNG から得たランダムな 32 バイト: 一時的な X25519 秘密鍵",
    ),
    (
        "X25519(server_ecdh_private, 9)",
        "X25519(server_ecdh_private, 9)",
    ),
    (
        "client_random + server_random + ServerECDHParams: what the private key signs",
        "client_random + server_random + ServerECDHParams: 秘密鍵で署名するもの",
    ),
    (
        "sign the ServerKeyExchange ({}): the one and only use of the private key in this \
         handshake; it never touches the session keys",
        "ServerKeyExchange に署名する ({0})。このハンドシェイクで秘密鍵を使うのはこの1回だけ。\
         セッション鍵には一切関わらない",
    ),
    // ---- the client reads the server's flight (src/client.rs) ----
    (
        "secure renegotiation (RFC 5746) confirmed",
        "サーバーが安全な再ネゴシエーション (RFC 5746) に対応している",
    ),
    (
        "the server does not signal secure renegotiation (RFC 5746); harmless here, since this \
         client never renegotiates",
        "サーバーは安全な再ネゴシエーション (RFC 5746) への対応を示していない。\
         このクライアントは再ネゴシエーションをしないので、ここでは問題ない",
    ),
    (
        "agreed: TLS 1.2, {}, extended master secret yes",
        "合意: TLS 1.2、{0}、extended master secret あり",
    ),
    (
        "agreed: TLS 1.2, {}, extended master secret no",
        "合意: TLS 1.2、{0}、extended master secret なし",
    ),
    ("server certificate: {phrase}", "サーバーの証明書: {0}"),
    (
        "taken from the server's certificate: the client holds only this half of the key pair",
        "サーバーの証明書から取り出した。クライアントが持つのは鍵ペアのこの片方(公開鍵)だけ",
    ),
    (
        "client_random + server_random + ServerECDHParams: what the server signed",
        "client_random + server_random + ServerECDHParams: サーバーが署名したもの",
    ),
    (
        "verify the ServerKeyExchange signature ({}): only the holder of the private key could \
         have made it",
        "ServerKeyExchange の署名 ({0}) を検証する。この署名を作れるのは秘密鍵の持ち主だけ",
    ),
    (
        "the {} signature on the server's ephemeral key",
        "サーバーの一時的な鍵に付いた {0} 署名が正しい",
    ),
    (
        "the server's ephemeral X25519 public key, now trusted",
        "サーバーの一時的な X25519 公開鍵。署名を確かめたので信頼できる",
    ),
    // ---- certificates: what describe_certificate says, and the chain checks (src/pki/) ----
    (
        "subject \"{}\", issuer \"{}\", valid {} to {}, serial {}",
        "発行先 (subject) \"{0}\"、発行元 (issuer) \"{1}\"、有効期間 {2} 〜 {3}、シリアル番号 {4}",
    ),
    ("keyUsage allows {}", "keyUsage が {0} を許可している"),
    (
        "extendedKeyUsage allows {}",
        "extendedKeyUsage が {0} を許可している",
    ),
    (
        "the certificate names \"{}\" (subjectAltName)",
        "証明書に \"{0}\" の名前が入っている (subjectAltName)",
    ),
    ("\"{}\" is valid now", "\"{0}\" が今、有効期間内である"),
    (
        "\"{}\" is one of our trust anchors",
        "\"{0}\" は信頼しているトラストアンカーの1つである",
    ),
    (
        "\"{}\" is a CA we trust",
        "\"{0}\" は信頼している CA(認証局)である",
    ),
    (
        "\"{}\" may issue certificates (basicConstraints cA)",
        "\"{0}\" は証明書を発行できる CA である (basicConstraints cA)",
    ),
    (
        "the signature on \"{}\" verifies with the key of \"{}\"",
        "\"{0}\" の署名を \"{1}\" の公開鍵で検証できる",
    ),
    (
        "the CRL from \"{}\" carries its signature (checked when loaded)",
        "\"{0}\" の CRL(失効リスト)に発行元の署名がある(読み込んだときに検証済み)",
    ),
    (
        "the CRL from \"{}\" is current",
        "\"{0}\" の CRL が期限内である",
    ),
    (
        "\"{}\" (serial {}) is not on the CRL",
        "\"{0}\"(シリアル番号 {1})は CRL に載っていない(失効していない)",
    ),
    (
        "the trust anchor \"{}\" is valid now",
        "トラストアンカー \"{0}\" が今、有効期間内である",
    ),
    // ---- mutual TLS: CertificateRequest, the client's Certificate and CertificateVerify ----
    (
        "the server asks for a client certificate, issued by: any CA",
        "サーバーがクライアント証明書を求めている。発行元: どの CA でもよい",
    ),
    (
        "the server asks for a client certificate, issued by: {}",
        "サーバーがクライアント証明書を求めている。発行元: {0}",
    ),
    (
        "the server accepts no RSA signature we can make: we send no certificate",
        "クライアントが作れる RSA 署名をサーバーが受け付けないので、証明書は送らない",
    ),
    ("our certificate: {phrase}", "自分の証明書: {0}"),
    (
        "we have no certificate to offer: an empty Certificate message",
        "出せる証明書がない。空の Certificate メッセージを送る",
    ),
    (
        "what our private key signs ({}): the hash of {} ({} bytes)",
        "自分の秘密鍵で署名するもの ({0}): {1} のハッシュ ({2} バイト)",
    ),
    (
        "sign the handshake messages so far ({}): proves we hold the key of our certificate; \
         the key never leaves the client",
        "ここまでのハンドシェイクメッセージに署名する ({0})。証明書の秘密鍵を持っていることの\
         証明になる。秘密鍵はクライアントの外に出ない",
    ),
    ("client certificate: {phrase}", "クライアントの証明書: {0}"),
    (
        "the client sent no certificate: it stays anonymous (certificate requested, not \
         required)",
        "クライアントは証明書を送らなかった。匿名のままになる(証明書を求めたが、必須ではない)",
    ),
    (
        "taken from the client's certificate, to check its CertificateVerify",
        "クライアントの証明書から取り出した。CertificateVerify の検証に使う",
    ),
    (
        "the hash that the client's {} signature covers: {} ({} bytes)",
        "クライアントの {0} 署名の対象になるハッシュ: {1} ({2} バイト)",
    ),
    (
        "verify the client's CertificateVerify signature",
        "クライアントの CertificateVerify の署名を検証する",
    ),
    (
        "CertificateVerify: the client holds the private key of its certificate",
        "CertificateVerify: クライアントは自分の証明書の秘密鍵を持っている",
    ),
    // ---- ClientKeyExchange: RSA (src/client.rs, src/server.rs) ----
    (
        "client_version (03 03) + 46 random bytes from the client's RNG",
        "client_version (03 03) + クライアントの RNG から得たランダムな 46 バイト",
    ),
    (
        "RSAES-PKCS1-v1_5-encrypt the pre-master secret ({} bytes of ciphertext; only the \
         server's private key can open it)",
        "pre-master secret を RSAES-PKCS1-v1_5 で暗号化する(暗号文 {0} バイト。\
         復号できるのはサーバーの秘密鍵だけ)",
    ),
    (
        "RSA-decrypt the pre-master secret: the one and only use of the private key in this \
         handshake",
        "pre-master secret を RSA で復号する。このハンドシェイクで秘密鍵を使うのはこの1回だけ",
    ),
    (
        "decrypted from ClientKeyExchange (or, had anything been wrong, client_version + 46 \
         random bytes, silently: RFC 5246 7.4.7.1)",
        "ClientKeyExchange から復号した値(何かがおかしければ、エラーを出さずに \
         client_version + ランダムな 46 バイトを代わりに使う: RFC 5246 7.4.7.1)",
    ),
    // ---- ClientKeyExchange: ECDHE ----
    (
        "32 random bytes from the client's RNG: an ephemeral X25519 private key",
        "クライアントの RNG から得たランダムな 32 バイト: 一時的な X25519 秘密鍵",
    ),
    (
        "X25519(client_ecdh_private, 9): sent in ClientKeyExchange",
        "X25519(client_ecdh_private, 9): ClientKeyExchange で送る",
    ),
    (
        "X25519(client's ephemeral private key, server's ephemeral public key) = the shared \
         secret; the private key is erased right after",
        "X25519(クライアントの一時的な秘密鍵, サーバーの一時的な公開鍵) = 共有の秘密。\
         秘密鍵はこの直後に消去する",
    ),
    (
        "the X25519 shared secret (RFC 8422 5.10): never sent, computed on both sides",
        "X25519 の共有の秘密 (RFC 8422 5.10)。送られることはなく、両側がそれぞれ計算する",
    ),
    (
        "the client's ephemeral X25519 public key, from ClientKeyExchange",
        "クライアントの一時的な X25519 公開鍵 (ClientKeyExchange から)",
    ),
    (
        "X25519(server's ephemeral private key, client's ephemeral public key) = the shared \
         secret; the private key is erased right after",
        "X25519(サーバーの一時的な秘密鍵, クライアントの一時的な公開鍵) = 共有の秘密。\
         秘密鍵はこの直後に消去する",
    ),
    (
        "the X25519 shared secret (RFC 8422 5.10), the same value the client computed",
        "X25519 の共有の秘密 (RFC 8422 5.10)。クライアントが計算したのと同じ値",
    ),
    // ---- master secret and session keys (src/conn.rs): the formulas say it all ----
    ("SHA-256({})", "SHA-256({0})"),
    ("SHA-384({})", "SHA-384({0})"),
    (
        "PRF-{}(pre_master_secret, \"extended master secret\", session_hash)[0..47]",
        "PRF-{0}(pre_master_secret, \"extended master secret\", session_hash)[0..47]",
    ),
    (
        "PRF-{}(pre_master_secret, \"master secret\", client_random + server_random)[0..47]",
        "PRF-{0}(pre_master_secret, \"master secret\", client_random + server_random)[0..47]",
    ),
    (
        "PRF-{}(master_secret, \"key expansion\", server_random + client_random), {} bytes",
        "PRF-{0}(master_secret, \"key expansion\", server_random + client_random)、{1} バイト",
    ),
    (
        "key_block[0..{}]: AES-{} key, client to server",
        "key_block[0..{0}]: AES-{1} の鍵、クライアントからサーバーへの向き",
    ),
    (
        "key_block[{}..{}]: AES-{} key, server to client",
        "key_block[{0}..{1}]: AES-{2} の鍵、サーバーからクライアントへの向き",
    ),
    (
        "next 4 bytes: implicit nonce part (salt), client to server",
        "次の 4 バイト: ナンスの暗黙の部分 (salt)、クライアントからサーバーへの向き",
    ),
    (
        "last 4 bytes: implicit nonce part (salt), server to client",
        "最後の 4 バイト: ナンスの暗黙の部分 (salt)、サーバーからクライアントへの向き",
    ),
    // ---- ChangeCipherSpec and Finished (src/conn.rs) ----
    (
        "client_write_key protects every record client sends from here on",
        "ここから先、クライアントが送るすべてのレコードを client_write_key で保護する",
    ),
    (
        "server_write_key protects every record server sends from here on",
        "ここから先、サーバーが送るすべてのレコードを server_write_key で保護する",
    ),
    (
        "received ChangeCipherSpec: client records are decrypted with client_write_key from \
         here on",
        "ChangeCipherSpec を受け取った。ここから先、クライアントのレコードは client_write_key \
         で復号する",
    ),
    (
        "received ChangeCipherSpec: server records are decrypted with server_write_key from \
         here on",
        "ChangeCipherSpec を受け取った。ここから先、サーバーのレコードは server_write_key \
         で復号する",
    ),
    (
        "PRF(master_secret, \"client finished\", handshake_hash)[0..11]",
        "PRF(master_secret, \"client finished\", handshake_hash)[0..11]",
    ),
    (
        "PRF(master_secret, \"server finished\", handshake_hash)[0..11]",
        "PRF(master_secret, \"server finished\", handshake_hash)[0..11]",
    ),
    (
        "the client Finished: verify_data {} against our own {}",
        "クライアントの Finished: 受け取った verify_data {0} が自分で計算した {1} と一致する",
    ),
    (
        "the server Finished: verify_data {} against our own {}",
        "サーバーの Finished: 受け取った verify_data {0} が自分で計算した {1} と一致する",
    ),
    (
        "handshake complete: from here on only the symmetric session keys are used",
        "ハンドシェイク完了。ここから先は共通鍵(対称鍵)であるセッション鍵だけを使う",
    ),
    // ---- failures: the note, and the error with the name of the alert it sends ----
    (
        "the connection fails here: {phrase}",
        "ここで接続が失敗する: {0}",
    ),
    (
        "the peer sent a {} alert: {}",
        "相手から {0} アラートを受け取った: {1}",
    ),
    (
        "the peer closed the connection without close_notify",
        "相手が close_notify を送らずに接続を閉じた",
    ),
    ("transport error: {}", "通信エラー: {0}"),
    (
        "bad_record_mac: GCM tag check failed",
        "bad_record_mac: GCM の認証タグの検査に失敗した",
    ),
    (
        "decode_error: input ends inside {}",
        "decode_error: {0} の途中で入力が終わっている",
    ),
    (
        "decode_error: length runs past the end of {}",
        "decode_error: 長さが {0} の終わりを越えている",
    ),
    (
        "decode_error: bytes left over after {}",
        "decode_error: {0} の後にバイトが余っている",
    ),
    (
        "decode_error: value out of range in {}",
        "decode_error: {0} の値が範囲外",
    ),
    ("unexpected_message: {phrase}", "unexpected_message: {0}"),
    ("record_overflow: {phrase}", "record_overflow: {0}"),
    ("handshake_failure: {phrase}", "handshake_failure: {0}"),
    ("illegal_parameter: {phrase}", "illegal_parameter: {0}"),
    ("decrypt_error: {phrase}", "decrypt_error: {0}"),
    ("protocol_version: {phrase}", "protocol_version: {0}"),
    (
        "unsupported_extension: {phrase}",
        "unsupported_extension: {0}",
    ),
    ("bad_certificate: {phrase}", "bad_certificate: {0}"),
    (
        "unsupported_certificate: {phrase}",
        "unsupported_certificate: {0}",
    ),
    ("certificate_revoked: {phrase}", "certificate_revoked: {0}"),
    ("certificate_expired: {phrase}", "certificate_expired: {0}"),
    ("unknown_ca: {phrase}", "unknown_ca: {0}"),
    ("internal_error: {phrase}", "internal_error: {0}"),
    // ---- why a certificate is refused (src/pki/) ----
    (
        "certificate \"{}\" expired at {}",
        "証明書 \"{0}\" は {1} に有効期限が切れている",
    ),
    (
        "certificate \"{}\" is not valid before {}",
        "証明書 \"{0}\" は {1} より前には有効でない",
    ),
    (
        "\"{}\" (serial {}) was revoked by \"{}\" on {}",
        "\"{0}\"(シリアル番号 {1})は {3} に \"{2}\" によって失効させられている",
    ),
    (
        "\"{}\" was issued by \"{}\", which is not a trust anchor",
        "\"{0}\" の発行元 \"{1}\" はトラストアンカーではない(信頼していない CA)",
    ),
    ("no certificate", "証明書がない"),
    (
        "a chain of {} certificates; at most {} are accepted",
        "{0} 枚の証明書からなるチェーン。受け付けるのは {1} 枚まで",
    ),
    (
        "the certificate is not for \"{}\": its subjectAltName names {}",
        "証明書は \"{0}\" のものではない。subjectAltName にある名前は {1}",
    ),
    (
        "\"{}\" is not a CA certificate but issued \"{}\"",
        "\"{0}\" は CA の証明書ではないのに \"{1}\" を発行している",
    ),
    (
        "the chain ends without reaching a trust anchor",
        "チェーンがトラストアンカーに届かないまま終わっている",
    ),
    (
        "the CRL from \"{}\" is not current (thisUpdate {}, nextUpdate {})",
        "\"{0}\" の CRL が期限内でない (thisUpdate {1}, nextUpdate {2})",
    ),
    (
        "the certificate's keyUsage does not allow {}",
        "証明書の keyUsage が {0} を許可していない",
    ),
    (
        "the certificate's extendedKeyUsage does not allow {}",
        "証明書の extendedKeyUsage が {0} を許可していない",
    ),
    ("bad keyUsage: {}", "keyUsage が不正: {0}"),
    ("bad extendedKeyUsage: {}", "extendedKeyUsage が不正: {0}"),
    (
        "certificate does not re-encode: {}",
        "証明書を再エンコードできない: {0}",
    ),
    (
        "CRL does not re-encode: {}",
        "CRL を再エンコードできない: {0}",
    ),
    (
        "the signature on \"{}\" does not verify",
        "\"{0}\" の署名を検証できない",
    ),
    (
        "signed with SHA-1, which is no longer accepted",
        "SHA-1 で署名されている。SHA-1 の署名はもう受け付けない",
    ),
    (
        "signature algorithm {} is not supported here",
        "署名アルゴリズム {0} はここでは扱えない",
    ),
    ("the signature does not verify", "署名を検証できない"),
    (
        "certificate does not parse as X.509: {}",
        "証明書を X.509 として解析できない: {0}",
    ),
    (
        "public key does not encode: {}",
        "公開鍵をエンコードできない: {0}",
    ),
    (
        "the certificate's key is not a usable RSA key ({}): {}",
        "証明書の鍵は使える RSA の鍵ではない ({0}): {1}",
    ),
    // ---- why a hello is refused (src/client.rs, src/server.rs, src/messages/) ----
    (
        "the server chose {}; this client speaks only TLS 1.2",
        "サーバーが {0} を選んだが、このクライアントが話せるのは TLS 1.2 だけ",
    ),
    (
        "the server chose suite 0x{}, which we did not offer",
        "サーバーが、提案していない暗号スイート 0x{0} を選んだ",
    ),
    (
        "the server chose compression method {}; we offered only null",
        "サーバーが圧縮方式 {0} を選んだ。提案したのは null(圧縮なし)だけ",
    ),
    (
        "the ServerHello carries {}, which the client did not offer",
        "ServerHello に、クライアントが提案していない {0} が入っている",
    ),
    (
        "the server chose the group {}; we offered only x25519",
        "サーバーがグループ {0} を選んだ。提案したのは x25519 だけ",
    ),
    (
        "the server's X25519 key is {} bytes, not 32",
        "サーバーの X25519 の鍵が 32 バイトではなく {0} バイトある",
    ),
    (
        "the server signed with {}, which we did not offer",
        "サーバーが、提案していない {0} で署名した",
    ),
    (
        "the client offers at most {}; this server speaks only TLS 1.2",
        "クライアントが提案するのは最高でも {0}。このサーバーが話せるのは TLS 1.2 だけ",
    ),
    (
        "the client does not offer the null compression method",
        "クライアントが null の圧縮方式(圧縮なし)を提案していない",
    ),
    (
        "no cipher suite in common with the client",
        "クライアントと共通の暗号スイートがない",
    ),
    (
        "the client sent no certificate, and this server requires one",
        "クライアントは証明書を送ってこなかったが、このサーバーは証明書を必須にしている",
    ),
    (
        "CertificateVerify uses {}, which our CertificateRequest did not offer",
        "CertificateVerify が、CertificateRequest で示していない {0} を使っている",
    ),
    (
        "ec_point_formats does not include uncompressed",
        "ec_point_formats に uncompressed が含まれていない",
    ),
    (
        "renegotiation_info is not empty on a first handshake",
        "最初のハンドシェイクなのに renegotiation_info が空でない",
    ),
    ("{} appears twice", "{0} が2回現れる"),
    (
        "ECCurveType {} (only named_curve(3) is allowed)",
        "ECCurveType {0}(使えるのは named_curve(3) だけ)",
    ),
    (
        "signature scheme {} was not offered",
        "署名方式 {0} は提案されていない",
    ),
    (
        "the {} signature does not verify with the certificate's public key",
        "{0} 署名が証明書の公開鍵で検証できない",
    ),
    (
        "an X25519 public key is 32 bytes, this one {}",
        "X25519 の公開鍵は 32 バイトのはずだが、これは {0} バイト",
    ),
    (
        "the X25519 shared secret is all zeros: the peer sent a low-order point",
        "X25519 の共有の秘密がすべてゼロ。相手が位数の小さい点 (low-order point) を送ってきた",
    ),
    // ---- messages in the wrong place, records out of bounds (src/conn.rs, src/record.rs) ----
    (
        "received {} where {} was expected",
        "{1} が来るはずのところで {0} を受け取った",
    ),
    (
        "{phrase} where {phrase} was expected",
        "{1} が来るはずのところに {0} が来た",
    ),
    ("a handshake message", "ハンドシェイクメッセージ"),
    ("application data", "アプリケーションデータ"),
    ("an unknown record", "不明なレコード"),
    ("ChangeCipherSpec", "ChangeCipherSpec"),
    (
        "the client Finished does not match: different master secret or a tampered handshake",
        "クライアントの Finished が一致しない。master secret が違うか、ハンドシェイクが改ざんされた",
    ),
    (
        "the server Finished does not match: different master secret or a tampered handshake",
        "サーバーの Finished が一致しない。master secret が違うか、ハンドシェイクが改ざんされた",
    ),
    (
        "the peer keeps asking to renegotiate",
        "相手が再ネゴシエーションを何度も求めてくる",
    ),
    ("{} after the handshake", "ハンドシェイクの後に {0} が来た"),
    ("empty handshake record", "空のハンドシェイクレコード"),
    (
        "ChangeCipherSpec expected, but a handshake message is still arriving",
        "ChangeCipherSpec が来るはずだが、ハンドシェイクメッセージがまだ届く途中",
    ),
    (
        "ChangeCipherSpec before the key exchange",
        "鍵交換の前に ChangeCipherSpec が来た",
    ),
    (
        "record version {} after {} was agreed",
        "{1} で合意したのに、レコードのバージョンが {0}",
    ),
    ("record version {}", "レコードのバージョンが {0}"),
    (
        "record of {} bytes, the limit is {}",
        "{0} バイトのレコード。上限は {1}",
    ),
    (
        "protected record holds {} bytes of plaintext, more than 2^14",
        "保護されたレコードの平文が {0} バイトあり、2^14 を超えている",
    ),
    (
        "record of unknown content type {} (is this TLS at all?)",
        "不明な content type {0} のレコード(そもそも TLS なのか?)",
    ),
    (
        "handshake message of {} bytes, our limit is {}",
        "{0} バイトのハンドシェイクメッセージ。こちらの上限は {1}",
    ),
];

/// The Japanese for an English explanation, when the table has it (and has every
/// `{phrase}` inside it).
pub fn translate(english: &str) -> Option<String> {
    TABLE.iter().find_map(|(pattern, japanese)| {
        let parts = match_pattern(pattern, english)?;
        Some(fill(japanese, &parts))
    })
}

/// The Japanese if the table has it, else the English as it is: what the renderer prints.
pub fn translate_or_keep(english: &str) -> String {
    translate(english).unwrap_or_else(|| english.to_string())
}

/// The pieces of an English pattern: fixed text and placeholders.
enum Piece<'a> {
    Text(&'a str),
    /// `{}`: copied as it is.
    Copy,
    /// `{phrase}`: translated in turn.
    Phrase,
}

/// "the {} Finished: {phrase}" -> [Text("the "), Copy, Text(" Finished: "), Phrase].
fn pieces(pattern: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = pattern;
    loop {
        // The nearest placeholder, and the fixed text before it.
        let next = [("{}", Piece::Copy), ("{phrase}", Piece::Phrase)]
            .into_iter()
            .filter_map(|(mark, piece)| rest.find(mark).map(|at| (at, mark, piece)))
            .min_by_key(|(at, _, _)| *at);
        let Some((at, mark, piece)) = next else {
            if !rest.is_empty() {
                out.push(Piece::Text(rest));
            }
            return out;
        };
        if at > 0 {
            out.push(Piece::Text(&rest[..at]));
        }
        out.push(piece);
        rest = &rest[at + mark.len()..];
    }
}

/// If `english` is an instance of `pattern`, the Japanese for each placeholder, in order.
fn match_pattern(pattern: &str, english: &str) -> Option<Vec<String>> {
    match_pieces(&pieces(pattern), english)
}

/// Matches `pieces` against the whole of `text`. A placeholder takes the shortest part that
/// lets the rest match (at least one character); if that part is a `{phrase}` with no
/// translation, a longer part is tried.
fn match_pieces(pieces: &[Piece<'_>], text: &str) -> Option<Vec<String>> {
    let Some((first, rest)) = pieces.split_first() else {
        return text.is_empty().then(Vec::new);
    };
    match first {
        Piece::Text(fixed) => match_pieces(rest, text.strip_prefix(fixed)?),
        Piece::Copy | Piece::Phrase => {
            // Every place the placeholder could end, shortest first: after the first
            // character, after the second, ..., at the end of the text.
            for end in text.char_indices().map(|(i, c)| i + c.len_utf8()) {
                let (part, after) = text.split_at(end);
                let Some(mut later) = match_pieces(rest, after) else {
                    continue;
                };
                let part = match first {
                    Piece::Phrase => match translate(part) {
                        Some(japanese) => japanese,
                        None => continue,
                    },
                    _ => part.to_string(),
                };
                later.insert(0, part);
                return Some(later);
            }
            None
        }
    }
}

/// The Japanese template with `{0}`, `{1}`, ... replaced by `parts`. (Not with
/// `str::replace`: a part may itself contain "{1}", in application data for instance.)
fn fill(japanese: &str, parts: &[String]) -> String {
    let mut out = String::new();
    let mut rest = japanese;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let number = after
            .find('}')
            .and_then(|close| Some((close, after[..close].parse::<usize>().ok()?)));
        match number {
            Some((close, n)) if n < parts.len() => {
                out.push_str(&parts[n]);
                rest = &after[close + 1..];
            }
            // Not a placeholder: the brace as it is.
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_carry_their_part_into_the_japanese() {
        assert_eq!(
            translate("key_block[16..32]: AES-128 key, server to client").as_deref(),
            Some("key_block[16..32]: AES-128 の鍵、サーバーからクライアントへの向き")
        );
        // Reordered: {1} comes before {0} in the Japanese.
        assert_eq!(
            translate("received ServerHello where Certificate was expected").as_deref(),
            Some("Certificate が来るはずのところで ServerHello を受け取った")
        );
    }

    #[test]
    fn a_phrase_is_translated_in_turn() {
        assert_eq!(
            translate("the connection fails here: bad_certificate: no certificate").as_deref(),
            Some("ここで接続が失敗する: bad_certificate: 証明書がない")
        );
        assert_eq!(
            translate("application data where ChangeCipherSpec was expected").as_deref(),
            Some("ChangeCipherSpec が来るはずのところに アプリケーションデータ が来た")
        );
        // A phrase with no entry: no translation at all, rather than half of one.
        assert_eq!(translate("the connection fails here: something new"), None);
    }

    #[test]
    fn unknown_text_is_kept() {
        assert_eq!(translate("no such explanation"), None);
        assert_eq!(
            translate_or_keep("no such explanation"),
            "no such explanation"
        );
        assert_eq!(translate(""), None);
    }

    #[test]
    fn every_placeholder_is_used_in_the_japanese() {
        for (english, japanese) in TABLE {
            let count = pieces(english)
                .iter()
                .filter(|p| !matches!(p, Piece::Text(_)))
                .count();
            for i in 0..count {
                assert!(japanese.contains(&format!("{{{i}}}")), "{english}");
            }
            assert!(!japanese.contains(&format!("{{{count}}}")), "{english}");
        }
    }
}
