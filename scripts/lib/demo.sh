# shellcheck shell=bash
# Sourced by scripts/dev: the demo.

# From the checkout: the config's auth key path (.run/auth/signing.pem) is relative to it.
ctl() { (cd "$ROOT" && "$BIN/orderlyctl/orderlyctl" --config "$(realpath "$CONFIG")" "$@"); }
title() { if [ -t 1 ]; then printf '\n\033[1m== %s\033[0m\n' "$*"; else printf '\n== %s\n' "$*"; fi; }

# Places an order and prints its id.
place() { ctl --json orders place "$@" | sed -n 's/.*"order_id": "\([^"]*\)".*/\1/p' | head -n 1; }

# Waits up to 60 s while `orderlyctl --json GROUP get ID` still shows PENDING; else dies with WHAT.
wait_not_pending() {
  local group=$1 id=$2 pending=$3 what=$4 deadline=$((SECONDS + 60))
  while ctl --json "$group" get "$id" | grep -q "\"$pending\""; do
    [ $SECONDS -lt $deadline ] || die "$what after 60 s; see scripts/dev logs"
    sleep 0.2
  done
}

# Waits until order $1 leaves PENDING, then until every step of its saga has its reply.
settle() {
  wait_not_pending orders "$1" ORDER_STATUS_PENDING "order $1 is still pending"
  wait_not_pending sagas "$1" STEP_OUTCOME_PENDING "the saga of order $1 still waits for a reply"
}

# Waits up to 15 s for the analytics service, which follows order.events on its own, to count a
# refund in the last five minutes; it then shows whatever it has counted.
wait_refund_counted() {
  local deadline=$((SECONDS + 15))
  until ctl --json analytics sales --last 5m | grep -q '"refunded": "[1-9]'; do
    [ $SECONDS -lt $deadline ] || return 0
    sleep 0.2
  done
}

show_state() {
  ctl stock get "$mug"
  ctl stock get "$tea"
  for customer in "$alice" "$bob" "$carol"; do ctl accounts get "$customer" EUR | tail -n 1; done
}

cmd_demo() {
  cmd_up
  local run mug tea alice bob carol confirmed no_stock no_money cancelled returned id
  run=$(date +%s)
  mug="MUG-$run" tea="TEA-$run" alice="alice-$run" bob="bob-$run" carol="carol-$run"

  title "Seeding a catalog and three customers"
  ctl products add "$mug" "Stoneware mug" 1200 EUR
  ctl products add "$tea" "Green tea" 450 EUR | tail -n 1
  ctl stock restock "$mug" 5 >/dev/null
  ctl stock restock "$tea" 10 >/dev/null
  for customer in "$alice" "$bob" "$carol"; do ctl accounts open "$customer" EUR >/dev/null; done
  ctl accounts deposit "$alice" 10000 EUR >/dev/null
  ctl accounts deposit "$bob" 500 EUR >/dev/null
  ctl accounts deposit "$carol" 10000 EUR >/dev/null

  title "Before"
  show_state

  title "Placing five orders"
  confirmed=$(place "demo-1" "$alice" EUR "$mug:2" "$tea:1")
  echo "1. $alice buys 2 mugs and a tea               -> $confirmed"
  no_stock=$(place "demo-2" "$alice" EUR "$mug:50")
  echo "2. $alice wants 50 mugs (only 5 exist)        -> $no_stock"
  no_money=$(place "demo-3" "$bob" EUR "$mug:1")
  echo "3. $bob buys a mug with 5.00 EUR             -> $no_money"
  cancelled=$(place "demo-4" "$carol" EUR "$tea:2")
  ctl orders cancel "$cancelled" >/dev/null || echo "   (the saga finished before the cancellation arrived)"
  echo "4. $carol orders tea, then cancels at once   -> $cancelled"

  returned=$(place "demo-5" "$alice" EUR "$mug:1" "$tea:2")
  echo "5. $alice buys a mug and two teas, returns a tea -> $returned"

  for id in "$confirmed" "$no_stock" "$no_money" "$cancelled" "$returned"; do settle "$id"; done
  title "Returning one tea of order 5"
  ctl orders refund "$returned" "$tea:1" --reason "arrived damaged"
  wait_not_pending orders "$returned" REFUND_STATUS_REQUESTED "the refund of order $returned still runs"

  title "Outcomes"
  # Line 2: the order's row, not the refunds listed below it.
  for id in "$confirmed" "$no_stock" "$no_money" "$cancelled" "$returned"; do ctl orders get "$id" | sed -n 2p; done
  for id in "$confirmed" "$no_stock" "$no_money" "$cancelled" "$returned"; do echo; ctl sagas get "$id"; done
  echo
  ctl orders get "$returned"
  echo
  ctl sagas list REFUNDED

  title "After"
  show_state

  title "Sales of the last five minutes (analytics, from order.events)"
  wait_refund_counted
  ctl analytics sales --last 5m
  echo
  ctl analytics top --last 5m -n 5

  title "Audit"
  ctl audit

  cat <<EOF

The stack is still running. Go on with:
  build/tools/orderlyctl/orderlyctl --help
  build/tools/orderlyctl/orderlyctl orders list $alice
  build/tools/orderlyctl/orderlyctl orders watch <order id>
  build/tools/orderlyctl/orderlyctl analytics watch   # sales windows as they change
  build/tools/orderlyctl/orderlyctl dlq list         # messages no service could process
  scripts/dev status | scripts/dev logs | scripts/dev down
EOF
}
