#!/bin/bash
# Re-creates cbc-session.pcapng + cbc-keylog.txt: 8 TLS 1.2 connections openssl s_client <-> s_server
# on 127.0.0.1:44361, one per CBC suite, extended master secret on; the odd ones with -no_etm on both
# sides (MAC-then-encrypt), the others with OpenSSL's default encrypt-then-MAC (RFC 7366).
# Then: python3 verify_sessions.py cbc-session.pcapng cbc-keylog.txt cbc-sessions.json
# Kills only the PIDs it starts.
cd "$(dirname "$0")"; P=.; PORT=44361; rm -f cbc-session.pcapng cbc-keylog.txt
tshark -i lo -f "tcp port $PORT" -w cbc-session.pcapng -q 2>/dev/null & T=$!; sleep 2
run() { # name suite etm(yes/no)
  local E=()
  [ $3 = no ] && E=(-no_etm)
  openssl s_server -accept 127.0.0.1:$PORT -tls1_2 -cipher "$2" -groups X25519 -cert $P/server.pem -key $P/server.key \
     "${E[@]}" -naccept 1 -rev -no_ticket > /dev/null 2>&1 & local SP=$!; sleep 0.4
  (echo "hello from $1"; sleep 0.5) | openssl s_client -connect 127.0.0.1:$PORT -servername localhost -tls1_2 -cipher "$2" \
     -groups X25519 -CAfile $P/ca.pem "${E[@]}" -keylogfile cbc-keylog.txt -no_ticket > /dev/null 2>&1
  wait $SP
}
run ecdhe-aes128-sha256-etm   ECDHE-RSA-AES128-SHA256   yes
run ecdhe-aes256-sha384-mte   ECDHE-RSA-AES256-SHA384   no
run ecdhe-aes128-sha-etm      ECDHE-RSA-AES128-SHA      yes
run ecdhe-aes256-sha-mte      ECDHE-RSA-AES256-SHA      no
run rsa-aes128-sha256-etm     AES128-SHA256             yes
run rsa-aes256-sha256-mte     AES256-SHA256             no
run rsa-aes128-sha-etm        AES128-SHA                yes
run rsa-aes256-sha-mte        AES256-SHA                no
sleep 1; kill -INT $T; wait $T
