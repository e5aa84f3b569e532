#!/bin/sh
# Translation catalogues (Flask-Babel). Message ids are English; bokmål is the default language.
#   scripts/i18n.sh update [messages|workflows]
#                             extract the marked strings and merge them into app/translations/nb/*.po
#   scripts/i18n.sh compile   build the .mo files the app reads (make run / make test do this)
# Two domains so two people can keep catalogues without editing one file: `workflows` holds the
# strings of the list workflows (daily control, corrections, follow-ups, share links, self-service),
# `messages` everything else.
set -eu
cd "$(dirname "$0")/.."
BABEL=.venv/bin/pybabel
DIR=app/translations
WORKFLOW_DIRS="lists_ui followups share selfservice"
KEYWORDS="-k _l -k N_"

extract() {  # extract DOMAIN INPUT_DIRS... [--ignore-dirs ...]
    domain=$1; shift
    $BABEL extract -F babel.cfg $KEYWORDS --no-location --sort-output -o "$DIR/$domain.pot" "$@" 2>/dev/null
    if [ -f "$DIR/nb/LC_MESSAGES/$domain.po" ]; then
        $BABEL update --no-fuzzy-matching --ignore-pot-creation-date -i "$DIR/$domain.pot" -d "$DIR" -D "$domain" -l nb
    else
        $BABEL init -i "$DIR/$domain.pot" -d "$DIR" -D "$domain" -l nb
    fi
    rm -f "$DIR/$domain.pot"
}

case "${1:-}" in
update)
    only=${2:-}
    [ "$only" != workflows ] && extract messages --ignore-dirs="$WORKFLOW_DIRS" app
    dirs=""
    for d in $WORKFLOW_DIRS; do [ -d "app/$d" ] && dirs="$dirs app/$d"; done
    [ "$only" != messages ] && [ -n "$dirs" ] && extract workflows $dirs
    echo "Translate the empty msgstr entries in $DIR/nb/LC_MESSAGES/*.po, then: scripts/i18n.sh compile"
    ;;
compile)
    for po in "$DIR"/*/LC_MESSAGES/*.po; do
        [ -f "$po" ] && $BABEL compile --use-fuzzy -i "$po" -o "${po%.po}.mo"
    done
    ;;
*)
    echo "usage: scripts/i18n.sh update|compile" >&2; exit 2 ;;
esac
