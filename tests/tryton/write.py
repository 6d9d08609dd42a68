# Renames a customer through Tryton's own ORM (proteus), as a Tryton user
# would: the change feed's triggers must let Tryton's write through.
#   write.py TRYTOND_CONF DATABASE PARTY_ID NEW_NAME
import sys
from proteus import Model, config as pconfig

conf, db, party, name = sys.argv[1:5]
pconfig.set_trytond(db, user='admin', config_file=conf)
Party = Model.get('party.party')
p = Party(int(party))
p.name = name
p.save()
