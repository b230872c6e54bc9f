# Career fields are members' reference data now (members.models.CareerField); ESP of the Year cycles,
# nominations and spotlight stories will live here.
