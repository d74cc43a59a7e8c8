#!/usr/bin/env python3
"""Writes core/src/themes/imagenet.tsv: which ImageNet-1k classes count toward which photo
theme, derived from WordNet 3.0's noun hypernyms (Debian `wordnet-base`, whose synset
offsets are ImageNet's `nXXXXXXXX` ids). The output is committed and reviewed by hand;
this script says how it was made and makes it again.

Anchors are word senses (synset offsets), never words: "vessel" as a ship (04530566) is a
vehicle, "vessel" as a container (04531098, bathtubs, pitchers) is not. A class belongs to a
theme when one of the theme's anchors is among its hypernyms (or is the class) and none of
the theme's exclusions is. A few classes WordNet files elsewhere are added by hand with
the reason next to them (a class listed by hand gets exactly the themes listed: hay is
fodder to WordNet, fields to a photo). Each row gets a weight: 1.0 when the class itself shows the theme
(a beagle, a seashore), less when it only hints at it (a vase: maybe flowers; a ski: snow).

usage: theme-table.py IMAGENET_LABELS [WORDNET_DIR] > core/src/themes/imagenet.tsv
IMAGENET_LABELS: the synset list in class order, one `nXXXXXXXX ...` per line.
"""
import sys

# theme -> (anchors, exclusions); all WordNet 3.0 noun offsets.
RULES = {
    "pets": ([
        "02084071",  # dog, domestic dog, Canis familiaris
        "02121808",  # domestic cat, house cat
    ], [
        "02115335",  # wild dog (dingo, dhole, African hunting dog)
    ]),
    "food": ([
        "00021265",  # food, nutrient (dishes, bread, drinks)
        "07555863",  # food, solid food (fruit, vegetables)
    ], []),
    "vehicles": ([
        "03100490",  # conveyance, transport (vehicles, buses and trains)
        "04530566",  # vessel, watercraft
    ], [
        "04264914",  # spacecraft (the themes leave out space rockets)
        "04099429",  # rocket (a vehicle propelled by a rocket engine)
        "03773504",  # missile
        "03484083",  # handcart (shopping cart, barrow)
        "04336792",  # stretcher
        "04576002",  # wheelchair
    ]),
    "city": ([
        "02913152",  # building, edifice
        "02898711",  # bridge, span
        "03743902",  # memorial, monument
        "04460130",  # tower
        "03220513",  # dome
        "06794110",  # street sign
        "06874185",  # traffic light
    ], [
        "02793495",  # barn (a farm building)
        "03457902",  # greenhouse
        "02859443",  # boathouse (at the water's edge, rarely a street)
        "02727426",  # apiary, bee house
        "03529860",  # home theater (a room)
    ]),
    "flowers": ([
        "11669921",  # flower (a plant cultivated for its blooms)
        "11939491",  # daisy
    ], []),
}

# Scenes WordNet files under geological formations; each theme by hand.
BY_HAND = {
    "09428293": [("beach", 1.0), ("nature", 1.0)],      # seashore, coast
    "09421951": [("beach", 1.0), ("nature", 1.0)],      # sandbar, sand bar
    "09332890": [("beach", 0.6), ("nature", 1.0)],      # lakeside, lakeshore
    "09399592": [("beach", 0.5), ("mountains", 0.3), ("nature", 1.0)],  # promontory
    "09193705": [("mountains", 1.0), ("nature", 1.0), ("snow", 0.4)],   # alp
    "09472597": [("mountains", 1.0), ("nature", 1.0)],  # volcano
    "09468604": [("mountains", 0.8), ("nature", 1.0)],  # valley, vale
    "09246464": [("mountains", 0.8), ("nature", 1.0)],  # cliff, drop, drop-off
    "09288635": [("nature", 1.0)],                      # geyser
    "09256479": [("nature", 0.6)],                      # coral reef
    "03160309": [("nature", 0.3)],                      # dam (a barrier at a lake)
    "07802026": [("nature", 0.6)],                      # hay (fields)
    "11879895": [("nature", 0.6), ("flowers", 0.4)],    # rapeseed (flowering fields)
    "12768682": [("nature", 0.4)],                      # buckeye, horse chestnut
    "12267677": [("nature", 0.4)],                      # acorn
    "13133613": [("nature", 0.3), ("food", 0.3)],       # ear, spike (of corn)
    "04604644": [("nature", 0.5)],                      # worm fence (rural)
    "03891251": [("nature", 0.3), ("city", 0.2)],       # park bench
    "03792972": [("nature", 0.4), ("mountains", 0.3)],  # mountain tent
    "04228054": [("snow", 1.0)],                        # ski
    "04252077": [("snow", 1.0), ("vehicles", 0.6)],     # snowmobile
    "04252225": [("snow", 1.0), ("vehicles", 0.6)],     # snowplow
    "03218198": [("snow", 0.8), ("vehicles", 0.4)],     # dogsled
    "02860847": [("snow", 0.8)],                        # bobsled
    "04208210": [("snow", 0.3)],                        # shovel
    "03991062": [("flowers", 0.5)],                     # pot, flowerpot
    "04522168": [("flowers", 0.5)],                     # vase
    "02206856": [("flowers", 0.4)],                     # bee (on blossoms)
    "02280649": [("flowers", 0.4)],                     # cabbage butterfly
    "12057211": [("flowers", 1.0)],                     # yellow lady's slipper
    "12620546": [("flowers", 0.4), ("nature", 0.3)],    # hip, rose hip
    "02342885": [("pets", 1.0)],                        # hamster
    "02364673": [("pets", 1.0)],                        # guinea pig
    "02328150": [("pets", 1.0)],                        # Angora rabbit
    "01443537": [("pets", 0.8)],                        # goldfish
    "02776631": [("food", 0.8), ("city", 0.3)],         # bakery
    "03089624": [("food", 0.6)],                        # confectionery, candy store
    "03461385": [("food", 0.6)],                        # grocery store
    "03063599": [("food", 0.4)],                        # coffee mug
    "07930864": [("food", 0.6)],                        # cup (of drink)
    "02823750": [("food", 0.6)],                        # beer glass
    "04591713": [("food", 0.5)],                        # wine bottle
    "04597913": [("food", 0.6)],                        # wooden spoon
    "03400231": [("food", 0.5)],                        # frying pan
    "03775546": [("food", 0.4)],                        # mixing bowl
    "04263257": [("food", 0.3)],                        # soup bowl
    "07579787": [("food", 1.0)],                        # plate (a course of food)
    "04476259": [("food", 0.4)],                        # tray
    "03000134": [("city", 0.5)],                        # chainlink fence (urban lots)
    "03902125": [("city", 0.6)],                        # pay-phone
    "03710193": [("city", 0.4)],                        # mailbox
    "03891332": [("city", 0.6), ("vehicles", 0.4)],     # parking meter
    "04335435": [("city", 0.6), ("vehicles", 0.8)],     # streetcar, tram
    "03216828": [("city", 0.6), ("vehicles", 0.6)],     # dock, dockage
    "04149813": [("city", 0.3)],                        # scoreboard (stadiums)
    "03388043": [("city", 0.8)],                        # fountain
    "03837869": [("city", 0.6)],                        # obelisk
    "02814533": [("vehicles", 1.0)],                    # beach wagon, station wagon
    "02965783": [("vehicles", 0.6)],                    # car mirror
    "02974003": [("vehicles", 0.6)],                    # car wheel
    "03208938": [("vehicles", 0.5)],                    # disk brake (a wheel close up)
    "03459775": [("vehicles", 0.6)],                    # grille, radiator grille
    "03785016": [("vehicles", 0.8)],                    # moped
    "03796401": [("vehicles", 0.8)],                    # moving van
    "06359193": [("document", 1.0)],                    # web site
    "07565083": [("document", 1.0)],                    # menu
    "07248320": [("document", 1.0)],                    # book jacket, dust cover
    "06596364": [("document", 0.8)],                    # comic book
    "06785654": [("document", 1.0)],                    # crossword puzzle
    "03291819": [("document", 0.6)],                    # envelope
    "02840245": [("document", 0.5)],                    # binder, ring-binder
    "03782006": [("document", 0.4)],                    # monitor
    "04152593": [("document", 0.4)],                    # screen, CRT screen
    "03832673": [("document", 0.3)],                    # notebook, notebook computer
    "03642806": [("document", 0.3)],                    # laptop
    "04404412": [("document", 0.2)],                    # television
    "04081281": [("food", 0.5)],                        # restaurant
    "03933933": [("beach", 0.4), ("city", 0.3)],        # pier
    "02894605": [("beach", 0.5), ("nature", 0.3)],      # breakwater, groin, mole
    "02814860": [("city", 0.4), ("beach", 0.3)],        # beacon, lighthouse
    "04562935": [("city", 0.5)],                        # water tower
    "04486054": [("city", 1.0)],                        # triumphal arch
    "03743016": [("nature", 0.4)],                      # megalith (standing stones, fields)
    "02980441": [("city", 1.0)],                        # castle
    "04005630": [("city", 0.6)],                        # prison
    "03042490": [("city", 0.4), ("mountains", 0.3), ("nature", 0.3)],  # cliff dwelling
    "02791270": [("city", 0.6)],                        # barbershop (a shop front)
    "02871525": [("city", 0.6)],                        # bookshop
    "04200800": [("city", 0.6)],                        # shoe shop
    "04443257": [("city", 0.6)],                        # tobacco shop
    "04462240": [("city", 0.6)],                        # toyshop
    "02927161": [("city", 0.4), ("food", 0.6)],         # butcher shop
    "02793495": [("nature", 0.4)],                      # barn (farmland)
    "02859443": [("beach", 0.3), ("nature", 0.3)],      # boathouse
}


def load_wordnet(path):
    hypernyms, words = {}, {}
    with open(path, encoding="latin-1") as f:
        for line in f:
            if line.startswith("  "):
                continue
            head = line.split(" | ", 1)[0].split()
            offset, n_words = head[0], int(head[3], 16)
            words[offset] = head[4].replace("_", " ")
            i = 4 + 2 * n_words
            n_ptrs = int(head[i])
            ups = []
            for p in range(n_ptrs):
                sym, target, pos = head[i + 1 + 4 * p: i + 4 + 4 * p]
                if sym in ("@", "@i") and pos == "n":
                    ups.append(target)
            hypernyms[offset] = ups
    return hypernyms, words


def ancestors(offset, hypernyms):
    seen, todo = set(), [offset]
    while todo:
        o = todo.pop()
        if o not in seen:
            seen.add(o)
            todo.extend(hypernyms.get(o, []))
    return seen


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    wn = sys.argv[2] if len(sys.argv) == 3 else "/usr/share/wordnet"
    hypernyms, words = load_wordnet(f"{wn}/data.noun")
    wnids = [line.split()[0][1:] for line in open(sys.argv[1]) if line.strip()]
    if len(wnids) != 1000:
        sys.exit("theme-table: expected 1000 classes")
    print("# class\twnid\tword (WordNet 3.0)\tthemes (theme:weight); made by scripts/theme-table.py")
    for index, wnid in enumerate(wnids):
        if wnid not in hypernyms:
            sys.exit(f"theme-table: n{wnid} is not a WordNet 3.0 noun")
        ups = ancestors(wnid, hypernyms)
        themes = dict()
        for theme, (anchors, exclusions) in RULES.items():
            if ups & set(anchors) and not ups & set(exclusions):
                themes[theme] = 1.0
        # A class set by hand gets exactly the themes listed for it.
        if wnid in BY_HAND:
            themes = dict(BY_HAND[wnid])
        # Every beach and mountains photo is nature too.
        if "nature" not in themes and ("beach" in themes or "mountains" in themes):
            themes["nature"] = max(themes.get("beach", 0), themes.get("mountains", 0))
        if themes:
            cells = ",".join(f"{t}:{w:g}" for t, w in sorted(themes.items()))
            print(f"{index}\tn{wnid}\t{words[wnid]}\t{cells}")


if __name__ == "__main__":
    main()
