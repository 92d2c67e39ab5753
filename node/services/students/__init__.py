"""Classes and the people in them: enrolment, class lists, student profiles and guardians kept
current by the class teacher [R 3.3, 4.1], class codes and subgroups [R 4.3].
"""
